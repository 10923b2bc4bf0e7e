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

        /// <summary>How many times the request was sent (retries included).</summary>
        public int Attempts => Message.ProcessingContext.RetryNumber + 1;

        /// <summary>The wait the server asked for and this module would not take (over <see cref="RetryTracePolicy.MaxServerWait"/>).</summary>
        public TimeSpan? RefusedWait => RetryTracePolicy.RefusedWaitOf(Message);

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

        // A real process list is far under 1 MB; anything near this is not Kudu's answer.
        // The call's limiter travels in the message, as its trace does (TracePolicy.TraceProperty).
        private const string LimiterProperty = "KuduDiagnostics.Limiter";

        internal const long MaxJsonBytes = 64L * 1024 * 1024;

        /// <summary>How much of a failed dump request's error body is read: its first line or JSON message is what errors show.</summary>
        internal const int MaxErrorBodyBytes = 8192;

        internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

        private readonly HttpPipeline _pipeline;

        public KuduTransport(HttpPipeline pipeline, Uri scmUri, TimeSpan? timeout = null)
        {
            _pipeline = pipeline;
            ScmUri = scmUri;
            Timeout = timeout ?? DefaultTimeout;
        }

        public Uri ScmUri { get; }

        /// <summary>The longest a read (all its attempts, and its whole body) may take; dumps have their own stall timeout.</summary>
        public TimeSpan Timeout { get; }

        public HttpMessage CreateMessage(string relativePath, string? instance, KuduCall call, string accept, ResponseClassifier classifier)
        {
            HttpMessage message = _pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            message.Request.Uri.Reset(new Uri(ScmUri, relativePath));
            message.Request.Headers.SetValue(HttpHeader.Names.Accept, accept);
            message.ResponseClassifier = classifier;

            // A redirect is an error here, never followed: see ThrowIfRedirected.
            RedirectPolicy.SetAllowAutoRedirect(message, false);
            if (instance != null)
            {
                // The App Service front end routes by this cookie; both names carry the same value.
                message.Request.Headers.SetValue("Cookie", $"ARRAffinity={instance}; ARRAffinitySameSite={instance}");
            }

            message.SetProperty(TracePolicy.TraceProperty, call.Trace);
            message.SetProperty(LimiterProperty, call.Limiter);
            return message;
        }

        /// <summary>
        /// Sends within a limiter slot. A network fault is <see cref="KuduErrorKind.Unreachable"/> (or
        /// <see cref="KuduErrorKind.DumpTimedOut"/> for a long request); an answer from another instance than the
        /// one asked for is <see cref="KuduErrorKind.InstanceNotFound"/>; a redirect is
        /// <see cref="KuduErrorKind.Redirected"/>. A read's body is read here, within <see cref="Timeout"/> and
        /// <see cref="MaxJsonBytes"/>; a long request's body is left for the caller to stream. Owns the message.
        /// </summary>
        public async Task<KuduReply> SendAsync(HttpMessage message, string? instance, bool longRequest, CancellationToken cancellationToken)
        {
            RequestLimiter limiter = message.TryGetProperty(LimiterProperty, out object? value) && value is RequestLimiter given
                ? given : throw new InvalidOperationException("A Kudu request is made by CreateMessage, which gives it its limiter.");
            IDisposable? lease = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                // Instance ids are per site, so the host is part of the key; a dump goes before queued lookups, since
                // every moment it waits delays each dump queued behind it on its site.
                lease = await limiter.EnterAsync(ScmUri.Authority + "/" + instance, urgent: longRequest, cancellationToken).ConfigureAwait(false);
                if (!longRequest)
                {
                    // Each byte resets the network timeout, so a drip would never end without a deadline over it all.
                    message.BufferResponse = false;
                    message.NetworkTimeout = Timeout < DefaultTimeout ? Timeout : DefaultTimeout;
                    deadline.CancelAfter(Timeout);
                }

                string? served = await SendCoreAsync(message, instance, longRequest, deadline.Token, cancellationToken).ConfigureAwait(false);
                ThrowIfRedirected(message);
                if (!longRequest)
                {
                    await BufferBodyAsync(message, deadline.Token, cancellationToken).ConfigureAwait(false);
                }
                else if (message.Response.Status >= 400)
                {
                    await BufferErrorBodyAsync(message, cancellationToken).ConfigureAwait(false);
                }

                return new KuduReply(message, served, lease);
            }
            catch
            {
                lease?.Dispose();
                message.Dispose();
                throw;
            }
        }

        private async Task<string?> SendCoreAsync(HttpMessage message, string? instance, bool longRequest, CancellationToken deadline, CancellationToken cancellationToken)
        {
            Uri uri = message.Request.Uri.ToUri();
            try
            {
                await _pipeline.SendAsync(message, deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
            {
                throw TimedOut(uri, ex);
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
                    $"Could not reach Kudu at {ScmUri.Authority}: the request {what} ({ConsoleText.Clean(Innermost(ex).Message)}). Check the site name or SCM URI, the network path to the SCM site, and that the site is running.",
                    requestUri: uri, inner: ex);
            }

            Response response = message.Response;
            string? served = ServedInstance(response, TracePolicy.TraceOf(message)) ?? instance;
            if (instance != null && served != null && !string.Equals(served, instance, StringComparison.OrdinalIgnoreCase))
            {
                throw new KuduException(KuduErrorKind.InstanceNotFound,
                    $"Instance {KuduTarget.ShortId(instance)} of {ScmUri.Authority} is not running: the front end routed the request to instance {KuduTarget.ShortId(served)} instead. List the current instances with Get-KuduInstance or Get-KuduProcess -AllInstances.",
                    response.Status, requestUri: uri) { AnsweredBy = served };
            }

            return served;
        }

        private KuduException TimedOut(Uri uri, Exception inner) =>
            new KuduException(KuduErrorKind.Unreachable,
                $"Kudu at {ScmUri.Authority} gave no complete answer within {Timeout.TotalSeconds:N0} s (the session's -TimeoutSec): the request was abandoned. The SCM site may be overloaded or a proxy may be holding the connection; try again, or raise -TimeoutSec on New-KuduSession.",
                requestUri: uri, inner: inner);

        /// <summary>A redirect (a sign-in page, a moved site, a proxy) is not Kudu's answer; credentials are never sent on.</summary>
        private void ThrowIfRedirected(HttpMessage message)
        {
            Response response = message.Response;
            if (response.Status < 300 || response.Status >= 400)
            {
                return;
            }

            response.Headers.TryGetValue("Location", out string? location);
            string where = "nowhere";
            if (location != null && Uri.TryCreate(message.Request.Uri.ToUri(), location, out Uri? target))
            {
                where = target.IsAbsoluteUri ? RedactedUri.Of(target) : "a relative address";
            }

            throw new KuduException(KuduErrorKind.Redirected,
                $"{ScmUri.Authority} answered {response.Status} (a redirect to {ConsoleText.Clean(where)}) instead of Kudu's answer; it was not followed and nothing was kept. A sign-in page, an access restriction or a proxy in front of the SCM site redirects like this; check the SCM URI and the site's networking.",
                response.Status, requestUri: message.Request.Uri.ToUri());
        }

        /// <summary>Reads a read's whole body into memory, refusing one over <see cref="MaxJsonBytes"/> from its Content-Length or as it arrives.</summary>
        private async Task BufferBodyAsync(HttpMessage message, CancellationToken deadline, CancellationToken cancellationToken)
        {
            Response response = message.Response;
            Uri uri = message.Request.Uri.ToUri();
            if (response.Headers.ContentLengthLong is long announced && announced > MaxJsonBytes)
            {
                throw TooLarge(response, uri, announced);
            }

            Stream? body = response.ContentStream;
            if (body == null || body is MemoryStream)
            {
                return;
            }

            var buffered = new MemoryStream();
            byte[] chunk = new byte[81920];
            try
            {
                int read;
                while ((read = await body.ReadAsync(chunk, 0, chunk.Length, deadline).ConfigureAwait(false)) > 0)
                {
                    if (buffered.Length + read > MaxJsonBytes)
                    {
                        throw TooLarge(response, uri, null);
                    }

                    buffered.Write(chunk, 0, read);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
            {
                throw TimedOut(uri, ex);
            }
            catch (Exception ex) when (ex is IOException || ex is HttpRequestException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
                throw new KuduException(KuduErrorKind.Unreachable,
                    $"The connection to Kudu at {ScmUri.Authority} broke while its answer was read ({ConsoleText.Clean(Innermost(ex).Message)}). Try again.",
                    response.Status, requestUri: uri, inner: ex);
            }
            finally
            {
                body.Dispose();
            }

            buffered.Position = 0;
            response.ContentStream = buffered;
        }

        private KuduException TooLarge(Response response, Uri uri, long? announced) =>
            new KuduException(KuduErrorKind.InvalidResponse,
                $"Kudu's answer from {ScmUri.Authority} is too large ({(announced is long n ? n.ToString("N0") + " bytes" : "over the limit, still arriving")}, limit {MaxJsonBytes:N0}): a process list is far smaller, so this is not Kudu's answer. It was not read.",
                response.Status, requestUri: uri);

        /// <summary>Parses a buffered JSON answer; anything else is <see cref="KuduErrorKind.InvalidResponse"/>.</summary>
        public static T ReadJson<T>(KuduReply reply, Func<JsonElement, T> parse)
        {
            Response response = reply.Response;
            try
            {
                string? mediaType = response.Headers.ContentType;
                if (mediaType != null && mediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw new FormatException("an HTML page");
                }

                using JsonDocument doc = JsonDocument.Parse(response.Content.ToMemory());
                return parse(doc.RootElement);
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException)
            {
                string contentType = response.Headers.ContentType ?? "no content type";
                throw new KuduException(KuduErrorKind.InvalidResponse,
                    $"Kudu's answer from {reply.Message.Request.Uri.Host} is not the process JSON expected ({ConsoleText.Clean(contentType)}; {ConsoleText.Clean(ex.Message)}). A proxy or sign-in page may be answering instead of the SCM site.",
                    response.Status, requestUri: reply.Uri, inner: ex);
            }
        }

        /// <summary>The error body as text. Every reply's body is in memory by now (a failed long request's, its first <see cref="MaxErrorBodyBytes"/>).</summary>
        public static string ReadErrorBody(Response response) =>
            response.ContentStream is MemoryStream || response.ContentStream == null ? ConsoleText.Clean(response.Content.ToString()) : string.Empty;

        /// <summary>
        /// A failed long request (a dump) answers with an error text, not a dump: its first
        /// <see cref="MaxErrorBodyBytes"/> are read here, asynchronously, so the error is classified from memory. A
        /// connection that breaks meanwhile leaves what arrived, and says so on the trace: the status is the answer.
        /// </summary>
        private async Task BufferErrorBodyAsync(HttpMessage message, CancellationToken cancellationToken)
        {
            Response response = message.Response;
            Stream? body = response.ContentStream;
            if (body == null || body is MemoryStream)
            {
                return;
            }

            var buffered = new MemoryStream();
            byte[] chunk = new byte[MaxErrorBodyBytes];
            try
            {
                int read;
                while (buffered.Length < MaxErrorBodyBytes
                    && (read = await body.ReadAsync(chunk, 0, (int)(MaxErrorBodyBytes - buffered.Length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    buffered.Write(chunk, 0, read);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is IOException || ex is HttpRequestException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException))
            {
                TracePolicy.TraceOf(message).Verbose($"The {response.Status} answer's body from {ScmUri.Authority} broke off after {buffered.Length:N0} bytes ({ConsoleText.Clean(Innermost(ex).Message)}).");
            }
            finally
            {
                body.Dispose();
            }

            buffered.Position = 0;
            response.ContentStream = buffered;
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
                return name == null ? null : ConsoleText.Clean(name.Trim('"'));
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private static string? ServedInstance(Response response, IKuduTrace trace)
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
                        if (value.Length > 0 && !IsCookieValue(value))
                        {
                            // Sent back, it would break every later request (headers are ASCII): not pinned.
                            trace.Verbose($"Ignored an ARRAffinity cookie that is not a valid cookie value ({ConsoleText.Escape(value, 40)}); the session does not stay on it.");
                            return null;
                        }

                        return value.Length > 0 ? value : null;
                    }
                }
            }

            return null;
        }

        /// <summary>RFC 6265 cookie-octets: visible ASCII except quote, comma, semicolon and backslash.</summary>
        internal static bool IsCookieValue(string value)
        {
            foreach (char c in value)
            {
                if (c < 0x21 || c > 0x7E || c == '"' || c == ',' || c == ';' || c == '\\')
                {
                    return false;
                }
            }

            return true;
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
