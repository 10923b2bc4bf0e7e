using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Dumps
{
    /// <summary>One dump on its way into a block blob: staged blocks, committed only when the dump is verified.</summary>
    internal sealed class BlobDumpTarget : IDumpTarget, IDumpExtrasTarget
    {
        private readonly BlobClient _blob;
        private readonly DumpDescriptor _dump;
        private readonly bool _force;
        private long _stored;
        private BlobDumpExtras? _extras;
        private bool _uploaded;

        public BlobDumpTarget(BlobClient blob, string display, DumpDescriptor dump, bool force)
        {
            _blob = blob;
            Display = display;
            _dump = dump;
            _force = force;
            BlobUri = BlobDumpSink.WithoutSas(blob.Uri);
        }

        public string Display { get; }

        public string? FilePath => null;

        public Uri? BlobUri { get; }

        public string? BlobName => _blob.Name;

        public long? BytesStored => Interlocked.Read(ref _stored);

        public IDumpExtras Extras => _extras ??= new BlobDumpExtras(_blob.GetParentBlobContainerClient(), _blob.Name, _force);

        /// <summary>The upload reads the Kudu body directly and commits the block list only once it ends well.</summary>
        public async Task WriteAsync(DumpBodyStream body, CancellationToken cancellationToken)
        {
            var options = new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = _dump.Format.ContentType },
                Metadata = Metadata(_dump),
                Conditions = _force ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
                TransferOptions = new StorageTransferOptions
                {
                    InitialTransferSize = BlobDumpSink.BlockSize,
                    MaximumTransferSize = BlobDumpSink.BlockSize,
                    MaximumConcurrency = BlobDumpSink.UploadConcurrency,
                },
                ProgressHandler = new Progress(this),

                // Each block carries its MD5 (Content-MD5) and the service refuses one that arrives different
                // (Md5Mismatch): a block corrupted on the way is never stored. Not CRC64: this SDK sends CRC64 for
                // blocks this size as a "structured message" that Azurite 3.37 does not acknowledge.
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
            };

            try
            {
                await _blob.UploadAsync(body, options, cancellationToken).ConfigureAwait(false);
                _uploaded = true;
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
            {
                if (FindKuduFailure(ex) is KuduException kudu)
                {
                    throw kudu;
                }

                throw BlobDumpSink.Explain(ex, Display);
            }
        }

        /// <summary>The dump's blob was committed at the end of its upload; the extras beside it are committed now.</summary>
        public Task CommitAsync(CancellationToken cancellationToken) => _extras?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

        public void Abort()
        {
            // Staged blocks that were never committed are invisible and discarded by the service. A dump blob whose
            // upload ended but whose extras (or final checks) failed goes too: the dump is kept whole or not at all.
            _extras?.Abort();
            if (_uploaded)
            {
                try
                {
                    _blob.DeleteIfExists();
                }
                catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
                {
                    // Best effort; the failure that got us here is what gets reported.
                }
            }
        }

        public void Dispose()
        {
        }

        private static KuduException? FindKuduFailure(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is KuduException kudu)
                {
                    return kudu;
                }

                if (e is AggregateException aggregate)
                {
                    foreach (Exception inner in aggregate.InnerExceptions)
                    {
                        if (FindKuduFailure(inner) is KuduException found)
                        {
                            return found;
                        }
                    }
                }
            }

            return null;
        }

        private static Dictionary<string, string> Metadata(DumpDescriptor dump)
        {
            // Metadata travels as HTTP headers: server-supplied names are kept to printable ASCII.
            var metadata = new Dictionary<string, string>
            {
                ["site"] = HeaderSafe(dump.Target.SiteName),
                ["instance"] = HeaderSafe(dump.Target.Instance ?? "any"),
                ["processname"] = HeaderSafe(dump.Target.Name ?? string.Empty),
                ["processid"] = (dump.Target.Id ?? 0).ToString(CultureInfo.InvariantCulture),
                ["dumptype"] = dump.Kind.Label,
                ["platform"] = dump.Platform.ToString(),
                ["capturetimeutc"] = dump.CaptureTimeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            };
            if (dump.MachineName != null)
            {
                metadata["machinename"] = HeaderSafe(dump.MachineName);
            }

            if (dump.WireMask is int mask)
            {
                metadata["dumptypemask"] = "0x" + mask.ToString("x", CultureInfo.InvariantCulture);
            }

            if (dump.Target.Slot != null)
            {
                metadata["slot"] = HeaderSafe(dump.Target.Slot);
            }

            return metadata;
        }

        private static string HeaderSafe(string value)
        {
            var chars = value.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (chars[i] < 0x20 || chars[i] > 0x7E)
                {
                    chars[i] = '_';
                }
            }

            return new string(chars).Trim();
        }

        private sealed class Progress : IProgress<long>
        {
            private readonly BlobDumpTarget _target;

            public Progress(BlobDumpTarget target) => _target = target;

            public void Report(long value) => Interlocked.Exchange(ref _target._stored, value);
        }
    }
}
