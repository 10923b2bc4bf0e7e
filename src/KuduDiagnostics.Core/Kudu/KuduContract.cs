using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// What every platform's process API shares: the same routes under /api/processes, JSON reads, a dump that is
    /// never retried. A platform says how its JSON reads, how a dump is asked for, and what its errors mean.
    /// </summary>
    internal abstract partial class KuduContract : IKuduContract
    {
        internal const string ProcessesPath = "api/processes";

        // Kudu's version and the site's last change: small, and every authenticated caller may read it.
        internal const string EnvironmentPath = "api/environment";

        private readonly ResponseClassifier _reads;
        private readonly ResponseClassifier _dumps = new NeverRetryClassifier();

        protected KuduContract(KuduTransport transport, SiteAnswers answers)
        {
            Transport = transport;
            Answers = answers;
            _reads = new ReadRetryClassifier(IsDeterministicServerError);
        }

        public abstract KuduPlatform Platform { get; }

        public abstract string DefaultWorkerName { get; }

        protected KuduTransport Transport { get; }

        /// <summary>What the site has answered this session so far (shared with the other platform's contract).</summary>
        protected SiteAnswers Answers { get; }

        protected string Host => Transport.ScmUri.Authority;

        public abstract DumpFormat DumpFormat(bool zip);

        public abstract DumpFormat? CompressedDumpFormat { get; }

        public abstract int? WireMask(DumpKind kind);

        /// <summary>What a failed answer means on this platform, in words that say what to do.</summary>
        /// <param name="response">The failed answer.</param>
        /// <param name="uri">The request's address (secrets redacted before any message).</param>
        /// <param name="processId">The process asked about; null for a site-wide request.</param>
        /// <param name="servedInstance">The instance that answered, carried as the error's AnsweredBy.</param>
        /// <param name="dump">Whether the request asked for a dump (its failures read differently).</param>
        /// <param name="attempts">How many times the request was sent, for messages that say so.</param>
        public abstract KuduException ErrorFor(Response response, Uri uri, int? processId, string? servedInstance, bool dump, int attempts = 1);

        protected abstract bool IsDeterministicServerError(Response response);

        protected abstract List<KuduProcess> ParseList(JsonElement root);

        protected abstract KuduProcessDetail ParseDetail(JsonElement root);

        /// <summary>The dump route's query string, without '?'.</summary>
        protected abstract string DumpQuery(DumpKind kind, DumpFormat format);

        /// <summary>One cheap authenticated request (the session check); returns the instance that answered.</summary>
        public async Task<string?> CheckAccessAsync(string? instance, KuduCall call, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(EnvironmentPath, instance, call, cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(reply, null);

            // A sign-in page answers 200 too: only Kudu's JSON object proves the SCM site is there.
            KuduTransport.ReadJson(reply, root => root.ValueKind == JsonValueKind.Object ? true : throw new FormatException($"expected a JSON object but got {root.ValueKind}"));
            Answers.AcceptedCredentials();
            return reply.ServedInstance;
        }

        public async Task<(List<KuduProcess> Processes, string? ServedInstance)> ListProcessesAsync(string? instance, KuduCall call, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(ProcessesPath, instance, call, cancellationToken).ConfigureAwait(false);
            return (ReadList(reply), reply.ServedInstance);
        }

        /// <summary>Reads a list answer already received (platform detection sends the request itself).</summary>
        public List<KuduProcess> ReadList(KuduReply reply)
        {
            ThrowIfFailed(reply, null);
            List<KuduProcess> processes = KuduTransport.ReadJson(reply, ParseList);
            Answers.AnsweredList();
            foreach (KuduProcess p in processes)
            {
                p.Platform = Platform;
            }

            return processes;
        }

        public virtual async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(ProcessPath(id), instance, call, cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(reply, id);
            KuduProcessDetail detail = KuduTransport.ReadJson(reply, ParseDetail);
            detail.Instance = reply.ServedInstance;
            detail.Platform = Platform;
            return detail;
        }

        public virtual async Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, DumpKind kind, DumpFormat format, KuduCall call, CancellationToken cancellationToken)
        {
            HttpMessage message = Transport.CreateMessage(ProcessPath(id) + "/dump?" + DumpQuery(kind, format), instance, call, format.Accept, _dumps);
            message.BufferResponse = false;
            message.NetworkTimeout = KuduTransport.LongRequestTimeout;
            using KuduReply reply = await Transport.SendAsync(message, instance, longRequest: true, cancellationToken).ConfigureAwait(false);
            Response response = reply.Response;
            if (response.Status >= 400)
            {
                throw ErrorFor(response, reply.Uri, id, reply.ServedInstance, dump: true);
            }

            string? mediaType = response.Headers.ContentType;
            if (mediaType != null && mediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // A sign-in or error page with a 200: never kept as a dump.
                throw new KuduException(KuduErrorKind.NotADump,
                    $"{Host} answered the dump request with an HTML page ({ConsoleText.Clean(mediaType)}) instead of a dump: a sign-in page, an error page or a proxy is answering for the SCM site. Nothing was saved.",
                    response.Status, requestUri: reply.Uri) { AnsweredBy = reply.ServedInstance };
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
        internal Task<KuduReply> SendReadAsync(string path, string? instance, KuduCall call, CancellationToken cancellationToken)
        {
            HttpMessage message = Transport.CreateMessage(path, instance, call, "application/json", _reads);
            return Transport.SendAsync(message, instance, longRequest: false, cancellationToken);
        }

        protected static string ProcessPath(int id) => ProcessesPath + "/" + id.ToString(CultureInfo.InvariantCulture);

        private void ThrowIfFailed(KuduReply reply, int? processId)
        {
            if (reply.Response.Status < 400)
            {
                return;
            }

            if (reply.RefusedWait is TimeSpan wait)
            {
                throw new KuduException(KuduErrorKind.Throttled,
                    $"{Host} answered {reply.Response.Status} and asked to wait {FormatWait(wait)} before trying again (Retry-After), longer than the {RetryTracePolicy.MaxServerWait.TotalSeconds:N0} s a request waits here; it was not retried after {Requests(reply.Attempts)}. Try again later.",
                    reply.Response.Status, requestUri: reply.Uri) { AnsweredBy = reply.ServedInstance };
            }

            throw ErrorFor(reply.Response, reply.Uri, processId, reply.ServedInstance, dump: false, reply.Attempts);
        }

        /// <summary>"one request", "4 requests": what a message says was tried.</summary>
        internal static string Requests(int attempts) => attempts <= 1 ? "one request" : $"{attempts} requests";

        private static string FormatWait(TimeSpan wait) =>
            wait.TotalSeconds < 3600 ? $"{wait.TotalSeconds:N0} s" : $"{wait.TotalHours:N1} hours ({wait.TotalSeconds:N0} s)";
    }
}
