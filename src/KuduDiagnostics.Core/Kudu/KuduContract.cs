using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// What every platform's process API shares: the same routes under /api/processes, JSON reads, a dump that is
    /// never retried. A platform says how its JSON reads, how a dump is asked for, and what its errors mean.
    /// </summary>
    internal abstract class KuduContract : IKuduContract
    {
        internal const string ProcessesPath = "api/processes";

        // Kudu's version and the site's last change: small, and every authenticated caller may read it.
        internal const string EnvironmentPath = "api/environment";

        private readonly ResponseClassifier _reads;
        private readonly ResponseClassifier _dumps = new NeverRetryClassifier();

        protected KuduContract(KuduTransport transport)
        {
            Transport = transport;
            _reads = new ReadRetryClassifier(IsDeterministicServerError);
        }

        public abstract KuduPlatform Platform { get; }

        public abstract string DefaultWorkerName { get; }

        protected KuduTransport Transport { get; }

        protected string Host => Transport.ScmUri.Authority;

        public abstract DumpFormat DumpFormat(bool zip);

        public abstract int? WireMask(DumpKind kind);

        /// <summary>What a failed answer means on this platform, in words that say what to do.</summary>
        /// <param name="response">The failed answer.</param>
        /// <param name="uri">The request's address (secrets redacted before any message).</param>
        /// <param name="processId">The process asked about; null for a site-wide request.</param>
        /// <param name="servedInstance">The instance that answered, carried as the error's AnsweredBy.</param>
        /// <param name="dump">Whether the request asked for a dump (its failures read differently).</param>
        public abstract KuduException ErrorFor(Response response, Uri uri, int? processId, string? servedInstance, bool dump);

        protected abstract bool IsDeterministicServerError(Response response);

        protected abstract List<KuduProcess> ParseList(JsonElement root);

        protected abstract KuduProcessDetail ParseDetail(JsonElement root);

        /// <summary>The dump route's query string, without '?'.</summary>
        protected abstract string DumpQuery(DumpKind kind, DumpFormat format);

        /// <summary>One cheap authenticated request (the session check); returns the instance that answered.</summary>
        public async Task<string?> CheckAccessAsync(string? instance, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(EnvironmentPath, instance, limiter, trace, cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(reply, null);
            return reply.ServedInstance;
        }

        public async Task<(List<KuduProcess> Processes, string? ServedInstance)> ListProcessesAsync(string? instance, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(ProcessesPath, instance, limiter, trace, cancellationToken).ConfigureAwait(false);
            return (ReadList(reply), reply.ServedInstance);
        }

        /// <summary>Reads a list answer already received (platform detection sends the request itself).</summary>
        public List<KuduProcess> ReadList(KuduReply reply)
        {
            ThrowIfFailed(reply, null);
            List<KuduProcess> processes = KuduTransport.ReadJson(reply, ParseList);
            foreach (KuduProcess p in processes)
            {
                p.Platform = Platform;
            }

            return processes;
        }

        public async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(ProcessPath(id), instance, limiter, trace, cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(reply, id);
            KuduProcessDetail detail = KuduTransport.ReadJson(reply, ParseDetail);
            detail.Instance = reply.ServedInstance;
            detail.Platform = Platform;
            return detail;
        }

        public async Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, DumpKind kind, DumpFormat format, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            HttpMessage message = Transport.CreateMessage(ProcessPath(id) + "/dump?" + DumpQuery(kind, format), instance, trace, format.Accept, _dumps);
            message.BufferResponse = false;
            message.NetworkTimeout = KuduTransport.LongRequestTimeout;
            using KuduReply reply = await Transport.SendAsync(message, instance, limiter, longRequest: true, cancellationToken).ConfigureAwait(false);
            Response response = reply.Response;
            if (response.Status >= 400)
            {
                throw ErrorFor(response, reply.Uri, id, reply.ServedInstance, dump: true);
            }

            Stream body = reply.Message.ExtractResponseContent() ?? Stream.Null;
            response.Headers.TryGetValue("Content-Disposition", out string? disposition);
            return new KuduDumpResponse(body, reply.TakeLease())
            {
                ContentLength = response.Headers.ContentLengthLong,
                ServerFileName = KuduTransport.ServerFileName(disposition),
                Instance = reply.ServedInstance,
            };
        }

        /// <summary>Sends a read; the caller checks the status (or detects the platform from it).</summary>
        internal Task<KuduReply> SendReadAsync(string path, string? instance, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            HttpMessage message = Transport.CreateMessage(path, instance, trace, "application/json", _reads);
            return Transport.SendAsync(message, instance, limiter, longRequest: false, cancellationToken);
        }

        protected static string ProcessPath(int id) => ProcessesPath + "/" + id.ToString(CultureInfo.InvariantCulture);

        private void ThrowIfFailed(KuduReply reply, int? processId)
        {
            if (reply.Response.Status >= 400)
            {
                throw ErrorFor(reply.Response, reply.Uri, processId, reply.ServedInstance, dump: false);
            }
        }
    }
}
