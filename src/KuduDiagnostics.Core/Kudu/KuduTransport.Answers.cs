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
    /// <summary>
    /// What the transport makes of an answer: its body read into memory within bounds, its JSON, its error text,
    /// the file name and instance it names. Everything here comes from the server and is treated as hostile.
    /// </summary>
    internal sealed partial class KuduTransport
    {
        /// <summary>Reads a read's whole body into memory, refusing one over <see cref="MaxJsonBytes"/> from its Content-Length or as it arrives.</summary>
        private async Task BufferBodyAsync(HttpMessage message, CancellationToken deadline, CancellationToken cancellationToken)
        {
            Response response = message.Response;
            Uri uri = message.Request.Uri.ToUri();
            if (response.Headers.ContentLengthLong is long announced && announced > MaxJsonBytes)
            {
                throw TooLarge(response, uri, announced);
            }

            if (response.ContentStream is Stream body && !(body is MemoryStream))
            {
                var buffered = new MemoryStream();
                try
                {
                    if (await ReadIntoAsync(body, buffered, MaxJsonBytes, deadline).ConfigureAwait(false))
                    {
                        throw TooLarge(response, uri, null);
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
                catch (Exception ex) when (IsBrokenRead(ex))
                {
                    throw new KuduException(KuduErrorKind.Unreachable,
                        $"The connection to Kudu at {ScmUri.Authority} broke while its answer was read ({ConsoleText.Clean(Innermost(ex).Message)}). Try again.",
                        response.Status, requestUri: uri, inner: ex);
                }

                response.ContentStream = buffered;
            }
        }

        /// <summary>
        /// A failed long request (a dump) answers with an error text, not a dump: its first
        /// <see cref="MaxErrorBodyBytes"/> are read here, asynchronously, so the error is classified from memory. A
        /// connection that breaks meanwhile leaves what arrived, and says so on the trace: the status is the answer.
        /// </summary>
        private async Task BufferErrorBodyAsync(HttpMessage message, CancellationToken cancellationToken)
        {
            Response response = message.Response;
            if (response.ContentStream is Stream body && !(body is MemoryStream))
            {
                var buffered = new MemoryStream();
                try
                {
                    await ReadIntoAsync(body, buffered, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsBrokenRead(ex))
                {
                    TracePolicy.TraceOf(message).Verbose($"The {response.Status} answer's body from {ScmUri.Authority} broke off after {buffered.Length:N0} bytes ({ConsoleText.Clean(Innermost(ex).Message)}).");
                }

                buffered.Position = 0;
                response.ContentStream = buffered;
            }
        }

        /// <summary>
        /// Copies a body into memory, at most <paramref name="limit"/> bytes, and disposes it; true when the body
        /// had more than that. What arrived stays in <paramref name="into"/> whatever happens.
        /// </summary>
        private static async Task<bool> ReadIntoAsync(Stream body, MemoryStream into, long limit, CancellationToken cancellationToken)
        {
            byte[] chunk = new byte[(int)Math.Min(81920, limit + 1)];
            try
            {
                int read;
                while ((read = await body.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    int keep = (int)Math.Min(read, limit - into.Length);
                    into.Write(chunk, 0, keep);
                    if (keep < read)
                    {
                        return true;
                    }
                }

                return false;
            }
            finally
            {
                body.Dispose();
                into.Position = 0;
            }
        }

        private static bool IsBrokenRead(Exception ex) =>
            ex is IOException || ex is HttpRequestException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException;

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
    }
}
