using System;
using System.IO;

namespace KuduDiagnostics.Kudu
{
    /// <summary>An open dump response: headers read, body not yet consumed; holds its request slot until disposed.</summary>
    internal sealed class KuduDumpResponse : IDisposable
    {
        private readonly IDisposable _lease;

        public KuduDumpResponse(Stream body, IDisposable lease)
        {
            Body = body;
            _lease = lease;
        }

        public Stream Body { get; }
        public long? ContentLength { get; set; }
        public string? ServerFileName { get; set; }

        /// <summary>The instance that served the dump.</summary>
        public string? Instance { get; set; }

        public void Dispose()
        {
            Body.Dispose();
            _lease.Dispose();
        }
    }
}
