using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>One answer from an SCM site: the response, the instance that served it, and the request slot it holds.</summary>
    internal sealed class KuduReply : IDisposable
    {
        public KuduReply(HttpMessage message, string? servedInstance, IDisposable lease)
        {
            Message = message;
            ServedInstance = servedInstance;
            _lease = lease;
        }

        public HttpMessage Message { get; }
        public Response Response => Message.Response;
        public Uri Uri => Message.Request.Uri.ToUri();
        public string? ServedInstance { get; }
        private IDisposable? _lease;

        /// <summary>Keeps the request slot beyond this reply (a dump body still to be read); the caller releases it.</summary>
        public IDisposable TakeLease() => System.Threading.Interlocked.Exchange(ref _lease, null) ?? EmptyLease.Instance;

        public void Dispose()
        {
            _lease?.Dispose();
            Message.Dispose();
        }

        private sealed class EmptyLease : IDisposable
        {
            public static readonly EmptyLease Instance = new EmptyLease();

            public void Dispose()
            {
            }
        }
    }

    /// <summary>
    /// Sends requests to one SCM host whatever its platform: the ARRAffinity cookie, the instance that answered,
    /// network faults, and one slot of the request limiter per request. What a status means is the contract's.
    /// </summary>
    internal sealed class KuduTransport
    {
        // The front end answers a dump only after Kudu has written all of it; that can take minutes.
        internal static readonly TimeSpan LongRequestTimeout = TimeSpan.FromMinutes(30);

        private readonly HttpPipeline _pipeline;

        public KuduTransport(HttpPipeline pipeline, Uri scmUri)
        {
            _pipeline = pipeline;
            ScmUri = scmUri;
        }

        public Uri ScmUri { get; }

        public HttpMessage CreateMessage(string relativePath, string? instance, IKuduTrace trace, string accept, ResponseClassifier classifier)
        {
            HttpMessage message = _pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            message.Request.Uri.Reset(new Uri(ScmUri, relativePath));
            message.Request.Headers.SetValue(HttpHeader.Names.Accept, accept);
            message.ResponseClassifier = classifier;
            if (instance != null)
            {
                // The App Service front end routes by this cookie; both names carry the same value.
                message.Request.Headers.SetValue("Cookie", $"ARRAffinity={instance}; ARRAffinitySameSite={instance}");
            }

            message.SetProperty(TracePolicy.TraceProperty, trace);
            return message;
        }

        /// <summary>
        /// Sends within a limiter slot. A network fault is <see cref="KuduErrorKind.Unreachable"/> (or
        /// <see cref="KuduErrorKind.DumpTimedOut"/> for a long request); an answer from another instance than the
        /// one asked for is <see cref="KuduErrorKind.InstanceNotFound"/>. Owns the message from here on.
        /// </summary>
        public async Task<KuduReply> SendAsync(HttpMessage message, string? instance, RequestLimiter limiter, bool longRequest, CancellationToken cancellationToken)
        {
            IDisposable? lease = null;
            try
            {
                // Instance ids are per site, so the host is part of the key; a dump goes before queued lookups, since
                // every moment it waits delays each dump queued behind it on its site.
                lease = await limiter.EnterAsync(ScmUri.Authority + "/" + instance, urgent: longRequest, cancellationToken).ConfigureAwait(false);
                string? served = await SendCoreAsync(message, instance, longRequest, cancellationToken).ConfigureAwait(false);
                return new KuduReply(message, served, lease);
            }
            catch
            {
                lease?.Dispose();
                message.Dispose();
                throw;
            }
        }

        private async Task<string?> SendCoreAsync(HttpMessage message, string? instance, bool longRequest, CancellationToken cancellationToken)
        {
            Uri uri = message.Request.Uri.ToUri();
            try
            {
                await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException || ex is HttpRequestException || ex is IOException || ex is SocketException || ex is OperationCanceledException)
            {
                // Azure.Core reports a network timeout as TaskCanceledException without our token being cancelled.
                if (longRequest && ex is OperationCanceledException)
                {
                    throw new KuduException(KuduErrorKind.DumpTimedOut,
                        $"Kudu at {ScmUri.Authority} sent nothing for {LongRequestTimeout.TotalMinutes:N0} minutes after the dump was asked for. Ask for a smaller dump (-DumpType Mini or Heap).",
                        requestUri: uri, inner: ex);
                }

                string what = ex is OperationCanceledException ? "timed out" : "failed";
                throw new KuduException(KuduErrorKind.Unreachable,
                    $"Could not reach Kudu at {ScmUri.Authority}: the request {what} ({Innermost(ex).Message}). Check the site name or SCM URI, the network path to the SCM site, and that the site is running.",
                    requestUri: uri, inner: ex);
            }

            Response response = message.Response;
            string? served = ServedInstance(response) ?? instance;
            if (instance != null && served != null && !string.Equals(served, instance, StringComparison.OrdinalIgnoreCase))
            {
                throw new KuduException(KuduErrorKind.InstanceNotFound,
                    $"Instance {KuduTarget.ShortId(instance)} of {ScmUri.Authority} is not running: the front end routed the request to instance {KuduTarget.ShortId(served)} instead. List the current instances with Get-KuduInstance or Get-KuduProcess -AllInstances.",
                    response.Status, requestUri: uri) { AnsweredBy = served };
            }

            return served;
        }

        /// <summary>Parses a buffered JSON answer; anything else is <see cref="KuduErrorKind.InvalidResponse"/>.</summary>
        public static T ReadJson<T>(KuduReply reply, Func<JsonElement, T> parse)
        {
            Response response = reply.Response;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(response.Content.ToMemory());
                return parse(doc.RootElement);
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException)
            {
                string contentType = response.Headers.ContentType ?? "no content type";
                throw new KuduException(KuduErrorKind.InvalidResponse,
                    $"Kudu's answer from {reply.Message.Request.Uri.Host} is not the process JSON expected ({contentType}; {ex.Message}). A proxy or sign-in page may be answering instead of the SCM site.",
                    response.Status, requestUri: reply.Uri, inner: ex);
            }
        }

        /// <summary>The error body as text; a bounded read when the body was not buffered (a dump request).</summary>
        public static string ReadErrorBody(Response response)
        {
            try
            {
                if (response.ContentStream is MemoryStream || response.ContentStream == null)
                {
                    return response.Content.ToString();
                }

                using var reader = new StreamReader(response.ContentStream);
                char[] buffer = new char[8192];
                int read = reader.ReadBlock(buffer, 0, buffer.Length);
                return new string(buffer, 0, read);
            }
            catch (Exception ex) when (ex is IOException || ex is InvalidOperationException || ex is ObjectDisposedException)
            {
                return string.Empty;
            }
        }

        internal static string? ServerFileName(string? contentDisposition)
        {
            if (string.IsNullOrEmpty(contentDisposition))
            {
                return null;
            }

            try
            {
                string? name = System.Net.Http.Headers.ContentDispositionHeaderValue.Parse(contentDisposition).FileName;
                return name?.Trim('"');
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private static string? ServedInstance(Response response)
        {
            if (!response.Headers.TryGetValues("Set-Cookie", out IEnumerable<string>? cookies))
            {
                return null;
            }

            foreach (string header in cookies)
            {
                // Several cookies may be folded into one header value.
                foreach (string part in header.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    string cookie = part.Trim();
                    if (cookie.StartsWith("ARRAffinity=", StringComparison.OrdinalIgnoreCase))
                    {
                        string value = cookie.Substring("ARRAffinity=".Length).Trim();
                        return value.Length > 0 ? value : null;
                    }
                }
            }

            return null;
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }
}
