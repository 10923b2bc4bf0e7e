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
    /// <summary>Where a blob destination comes from: a container URI (with or without SAS) or a connection string.</summary>
    internal sealed class BlobDestination
    {
        public Uri? ContainerUri { get; set; }
        public string? ConnectionString { get; set; }
        public string? Container { get; set; }
        public string? Prefix { get; set; }
        public bool CreateContainer { get; set; }
        public bool Force { get; set; }
    }

    /// <summary>
    /// Streams dumps from Kudu straight into block blobs: no temporary file (Automation sandboxes have little disk)
    /// and bounded memory (a few blocks in flight). A block blob becomes visible only when its block list is
    /// committed at the end of the upload, so a failed transfer leaves no blob behind.
    /// </summary>
    internal sealed class BlobDumpSink : IDumpSink
    {
        // 4 MiB blocks, 4 in flight: ~16-20 MiB of buffers whatever the dump size (50,000 blocks = 195 GiB).
        internal const int BlockSize = 4 * 1024 * 1024;
        internal const int UploadConcurrency = 4;

        private readonly BlobContainerClient _container;
        private readonly BlobDestination _destination;
        private readonly SemaphoreSlim _createOnce = new SemaphoreSlim(1, 1);
        private bool _containerReady;

        private BlobDumpSink(BlobContainerClient container, BlobDestination destination)
        {
            _container = container;
            _destination = destination;
        }

        /// <summary>The container's URI without any SAS: safe to print.</summary>
        public Uri DisplayUri => WithoutSas(_container.Uri);

        /// <summary>True when the destination signs in with the session's identity (a container URI without SAS).</summary>
        public static bool UsesSessionIdentity(BlobDestination destination) =>
            destination.ConnectionString == null && destination.ContainerUri != null
            && (destination.ContainerUri.Query.IndexOf("sig=", StringComparison.OrdinalIgnoreCase) < 0);

        /// <summary>Builds the sink for a session: its Azure identity signs the blob requests when there is no SAS.</summary>
        public static BlobDumpSink CreateForSession(BlobDestination destination, KuduSession? session) =>
            Create(destination, session == null ? null : Session.KuduSessionConnection.AzureIdentity(session));

        /// <summary>
        /// Builds the sink. A container URI without SAS needs a token: the session's, when it is an Azure identity
        /// session. Nothing here puts the SAS, key or connection string into a message.
        /// </summary>
        public static BlobDumpSink Create(BlobDestination destination, TokenCredential? sessionCredential)
        {
            var options = new BlobClientOptions();
            DiagnosticsClientOptions.ApplyRetry(options.Retry);
            DiagnosticsClientOptions.ApplyDiagnostics(options.Diagnostics);

            BlobContainerClient container;
            if (destination.ConnectionString != null)
            {
                if (string.IsNullOrWhiteSpace(destination.Container))
                {
                    throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination, "The connection string was given without the name of the blob container.", advice: AdviceKey.ContainerName);
                }

                try
                {
                    container = new BlobContainerClient(destination.ConnectionString, destination.Container, options);
                }
                catch (Exception ex) when (ex is FormatException || ex is ArgumentException || ex is InvalidOperationException || ex is IndexOutOfRangeException)
                {
                    // The SDK's message may quote the connection string; ours does not.
                    throw new DumpDestinationException(DumpDestinationErrorKind.InvalidConnectionString,
                        "The storage connection string is not valid. It should look like 'DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key>;EndpointSuffix=core.windows.net' (the portal's Access keys blade).");
                }
            }
            else
            {
                Uri uri = destination.ContainerUri ?? throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination, "No blob destination was given.");
                string display = WithoutSas(uri).ToString();
                BlobUriBuilder parts;
                try
                {
                    parts = new BlobUriBuilder(uri);
                }
                catch (Exception ex) when (ex is FormatException || ex is ArgumentException || ex is UriFormatException)
                {
                    throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination, $"'{display}' is not a blob container URI.", display);
                }

                if (string.IsNullOrEmpty(parts.BlobContainerName) || !string.IsNullOrEmpty(parts.BlobName))
                {
                    throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination,
                        $"'{display}' is not a blob container URI: give https://<account>.blob.core.windows.net/<container> (with a SAS, or without one for an Azure identity session).", display, advice: AdviceKey.BlobPrefix);
                }

                bool hasSas = parts.Sas != null && !string.IsNullOrEmpty(parts.Sas.Signature);
                if (hasSas)
                {
                    container = new BlobContainerClient(uri, options);
                }
                else if (sessionCredential != null)
                {
                    if (uri.Scheme != Uri.UriSchemeHttps)
                    {
                        throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination,
                            $"'{display}' is not https: Azure Storage accepts tokens only over https. Use an https URI or a SAS.", display);
                    }

                    container = new BlobContainerClient(uri, sessionCredential, options);
                }
                else
                {
                    throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination,
                        $"'{display}' has no SAS and the session has no Azure identity to sign in with.", display, advice: AdviceKey.BlobCredential);
                }
            }

            return new BlobDumpSink(container, destination);
        }

        public async Task<IDumpTarget> PrepareAsync(DumpDescriptor dump, IKuduTrace trace, CancellationToken cancellationToken)
        {
            await EnsureContainerAsync(trace, cancellationToken).ConfigureAwait(false);
            string name = BlobName(dump);
            BlobClient blob = _container.GetBlobClient(name);
            string display = WithoutSas(blob.Uri).ToString();

            // Fail before anyone is frozen when the blob exists or the container is missing. A write-only SAS
            // cannot read properties (403): then the create-only condition of the upload decides.
            try
            {
                await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!_destination.Force)
                {
                    throw new DumpDestinationException(DumpDestinationErrorKind.TargetExists, $"The blob '{display}' already exists.", display, advice: AdviceKey.UseForce);
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode != BlobErrorCode.ContainerNotFound.ToString())
            {
                // Not there yet: the normal case.
            }
            catch (RequestFailedException ex) when (ex.Status == 403)
            {
                trace.Debug($"Cannot read {display} ({ex.ErrorCode}); relying on the upload's create-only condition.");
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
            {
                throw Explain(ex, display);
            }

            await CheckWriteAccessAsync(name, display, cancellationToken).ConfigureAwait(false);
            return new BlobDumpTarget(blob, display, dump, _destination.Force);
        }

        /// <summary>
        /// Proves the credential may write before any process is frozen: stages one uncommitted block on a side
        /// blob. Uncommitted blocks are invisible and the service discards them (within a week), and a separate
        /// blob keeps the block-id rules of the real upload out of it.
        /// </summary>
        private async Task CheckWriteAccessAsync(string name, string display, CancellationToken cancellationToken)
        {
            BlockBlobClient probe = _container.GetBlockBlobClient(name + ".write-check");
            try
            {
                using var oneByte = new MemoryStream(new byte[1]);
                await probe.StageBlockAsync(WriteCheckBlockId, oneByte, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
            {
                throw Explain(ex, display);
            }
        }

        private static readonly string WriteCheckBlockId = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("kudu-write-check"));

        internal string BlobName(DumpDescriptor dump)
        {
            string prefix = (_destination.Prefix ?? string.Empty).Replace('\\', '/').Trim('/');
            return prefix.Length == 0 ? DumpNaming.RelativePath(dump) : prefix + "/" + DumpNaming.RelativePath(dump);
        }

        private async Task EnsureContainerAsync(IKuduTrace trace, CancellationToken cancellationToken)
        {
            if (!_destination.CreateContainer || _containerReady)
            {
                return;
            }

            await _createOnce.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_containerReady)
                {
                    await _container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken).ConfigureAwait(false);
                    trace.Verbose($"Blob container {DisplayUri} is there (created if it was not).");
                    _containerReady = true;
                }
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException)
            {
                throw Explain(ex, DisplayUri.ToString());
            }
            finally
            {
                _createOnce.Release();
            }
        }

        /// <summary>
        /// A storage failure in words, without the SDK's exception: its message and headers are not ours to vet
        /// for secrets, so only the status, error code and request id are carried over.
        /// </summary>
        internal static DumpDestinationException Explain(Exception ex, string display)
        {
            RequestFailedException? failure = ex as RequestFailedException
                ?? (ex as AggregateException)?.InnerExceptions[0] as RequestFailedException;
            int status = failure?.Status ?? 0;
            string code = failure?.ErrorCode ?? string.Empty;
            string requestId = string.Empty;
            if (failure != null && failure.GetRawResponse() is Response raw && raw.Headers.RequestId is string id)
            {
                requestId = $" (request id {id})";
            }

            if (status == 0)
            {
                Exception inner = ex;
                while (inner.InnerException != null)
                {
                    inner = inner.InnerException;
                }

                string reason = inner is RequestFailedException ? "no answer" : inner.GetType().Name + ": " + RedactedUri.StripQueries(inner.Message);
                return new DumpDestinationException(DumpDestinationErrorKind.Unreachable,
                    $"Cannot reach blob storage for {display} ({reason}). Check the account name and endpoint, and the network path to it.", display);
            }

            if (status == 404 && code == BlobErrorCode.ContainerNotFound.ToString())
            {
                return new DumpDestinationException(DumpDestinationErrorKind.ContainerNotFound,
                    $"The blob container of {display} does not exist.{requestId}", display, advice: new KuduAdvice(AdviceKey.CreateContainer, requestId));
            }

            if (status == 409 && code == BlobErrorCode.BlobAlreadyExists.ToString() || status == 412)
            {
                return new DumpDestinationException(DumpDestinationErrorKind.TargetExists,
                    $"The blob '{display}' already exists.{requestId}", display, advice: new KuduAdvice(AdviceKey.UseForce, requestId));
            }

            if (status == 403 || status == 401)
            {
                return new DumpDestinationException(DumpDestinationErrorKind.AccessDenied,
                    $"Blob storage refused to write {display} ({status} {code}). A SAS needs create and write permissions (sp=cw) and must not be expired; an identity needs the Storage Blob Data Contributor role on the container.{requestId}", display);
            }

            return new DumpDestinationException(DumpDestinationErrorKind.WriteFailed,
                $"Blob storage failed to store {display} ({status} {code}).{requestId}", display);
        }

        internal static Uri WithoutSas(Uri uri) => new UriBuilder(uri) { Query = string.Empty }.Uri;
    }
}
