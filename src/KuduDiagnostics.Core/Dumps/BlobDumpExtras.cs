using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// Extras as blobs beside the dump's: &lt;dump blob&gt;.dac/&lt;name&gt;. Blocks are staged as the bytes arrive (each
    /// with its MD5) and the block lists committed only when the whole archive has been checked: until then no blob is
    /// visible, and staged blocks that are never committed are discarded by the service.
    /// </summary>
    internal sealed class BlobDumpExtras : IDumpExtras
    {
        private readonly BlobContainerClient _container;
        private readonly string _prefix;
        private readonly bool _force;
        private readonly List<(BlockBlobClient Blob, List<string> Blocks)> _staged = new List<(BlockBlobClient, List<string>)>();
        private readonly List<BlockBlobClient> _committed = new List<BlockBlobClient>();
        private readonly List<string> _locations = new List<string>();

        public BlobDumpExtras(BlobContainerClient container, string dumpBlobName, bool force)
        {
            _container = container;
            _prefix = dumpBlobName + DumpExtras.FolderSuffix + "/";
            _force = force;
        }

        public IReadOnlyList<string> Locations => _locations;

        public async Task AddAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            BlockBlobClient blob = _container.GetBlockBlobClient(_prefix + name);
            var blocks = new List<string>();
            _staged.Add((blob, blocks));
            var buffer = new byte[BlobDumpSink.BlockSize];
            var options = new BlockBlobStageBlockOptions
            {
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
            };
            while (true)
            {
                int filled = 0;
                int read;
                while (filled < buffer.Length && (read = await content.ReadAsync(buffer, filled, buffer.Length - filled, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                if (filled == 0 && blocks.Count > 0)
                {
                    return;
                }

                string id = Convert.ToBase64String(Encoding.ASCII.GetBytes("extra-" + blocks.Count.ToString("D6", CultureInfo.InvariantCulture)));
                try
                {
                    using var block = new MemoryStream(buffer, 0, filled, writable: false);
                    await blob.StageBlockAsync(id, block, options, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
                {
                    throw BlobDumpSink.Explain(ex, Display(blob));
                }

                blocks.Add(id);
                if (filled < buffer.Length)
                {
                    return;
                }
            }
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            foreach ((BlockBlobClient blob, List<string> blocks) in _staged)
            {
                var options = new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                    Conditions = _force ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
                };
                try
                {
                    await blob.CommitBlockListAsync(blocks, options, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
                {
                    throw BlobDumpSink.Explain(ex, Display(blob));
                }

                _committed.Add(blob);
                _locations.Add(Display(blob));
            }
        }

        public void Abort()
        {
            foreach (BlockBlobClient blob in _committed)
            {
                try
                {
                    blob.DeleteIfExists();
                }
                catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
                {
                    // Best effort; the failure that got us here is what gets reported.
                }
            }

            _committed.Clear();
            _locations.Clear();
        }

        private static string Display(BlockBlobClient blob) => BlobDumpSink.WithoutSas(blob.Uri).ToString();
    }
}
