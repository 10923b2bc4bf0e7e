using System;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Dumps
{
    /// <summary>Where dumps go: a folder, or a blob container.</summary>
    internal interface IDumpSink
    {
        /// <summary>
        /// Reserves the destination of one dump, after the site's turn came and before Kudu is asked for the dump,
        /// so a destination that cannot work (exists, not writable) fails before a process is frozen for nothing.
        /// </summary>
        Task<IDumpTarget> PrepareAsync(DumpDescriptor dump, IKuduTrace trace, CancellationToken cancellationToken);
    }

    /// <summary>One dump's destination. Nothing is visible under the final name until <see cref="CommitAsync"/>.</summary>
    internal interface IDumpTarget : IDisposable
    {
        /// <summary>A path or a URI without SAS, safe to print.</summary>
        string Display { get; }

        string? FilePath { get; }

        Uri? BlobUri { get; }

        /// <summary>The blob's name in its container; null for files.</summary>
        string? BlobName { get; }

        /// <summary>Bytes the destination has confirmed (blob upload progress); null when that is the bytes read.</summary>
        long? BytesStored { get; }

        /// <summary>Consumes the whole body. Progress is read from the body stream by the caller.</summary>
        Task WriteAsync(DumpBodyStream body, CancellationToken cancellationToken);

        /// <summary>Makes the verified dump visible under its final name.</summary>
        Task CommitAsync(CancellationToken cancellationToken);

        /// <summary>Removes whatever was written. Never throws.</summary>
        void Abort();
    }
}
