using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KuduDiagnostics.Kudu
{
    /// <summary>Typed calls over Kudu's process API (see docs/kudu-api.md). One instance per session.</summary>
    internal sealed class KuduClient
    {
        internal const string ProcessesPath = "api/processes";

        // The front end answers a dump only after Kudu has written all of it; that can take minutes.
        private static readonly TimeSpan DumpHeadersTimeout = TimeSpan.FromMinutes(30);

        private readonly HttpPipeline _pipeline;

        public KuduClient(HttpPipeline pipeline, Uri scmUri)
        {
            _pipeline = pipeline;
            ScmUri = scmUri;
        }

        public Uri ScmUri { get; }

        public async Task<List<KuduProcess>> ListProcessesAsync(string? instance, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using HttpMessage message = CreateMessage(ProcessesPath, instance, trace);
            string? served = await SendAsync(message, instance, cancellationToken).ConfigureAwait(false);
            List<KuduProcess> processes = ReadJson(message, KuduJson.ParseProcessList);
            foreach (KuduProcess p in processes)
            {
                p.Instance = served;
            }

            return processes;
        }

        public async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, bool includeEnvironment, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using HttpMessage message = CreateMessage(ProcessPath(id), instance, trace);
            string? served = await SendAsync(message, instance, cancellationToken, processId: id).ConfigureAwait(false);
            KuduProcessDetail detail = ReadJson(message, KuduJson.ParseProcessDetail);
            detail.Instance = served;
            if (!includeEnvironment && detail.EnvironmentVariables.Count > 0)
            {
                var redacted = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string key in detail.EnvironmentVariables.Keys)
                {
                    redacted[key] = RedactedValue;
                }

                detail.EnvironmentVariables = redacted;
                detail.EnvironmentRedacted = true;
            }

            return detail;
        }

        public const string RedactedValue = "<redacted: use -IncludeEnvironment>";

        /// <summary>
        /// Asks Kudu for a dump and returns once the response headers arrive (after the server wrote the whole
        /// dump). The body is not buffered: the caller streams it. Never retried.
        /// </summary>
        public async Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, int dumpTypeMask, bool zip, IKuduTrace trace, CancellationToken cancellationToken)
        {
            string path = ProcessPath(id) + "/dump?dumpType=" + dumpTypeMask.ToString(CultureInfo.InvariantCulture)
                + "&format=" + (zip ? "zip" : "raw");
            HttpMessage message = CreateMessage(path, instance, trace, accept: "application/octet-stream, application/zip");
            message.BufferResponse = false;
            message.ResponseClassifier = new NeverRetryClassifier();
            message.NetworkTimeout = DumpHeadersTimeout;
            try
            {
                string? served = await SendAsync(message, instance, cancellationToken, processId: id, dump: true).ConfigureAwait(false);
                Stream body = message.ExtractResponseContent() ?? Stream.Null;
                Response response = message.Response;
                long? length = response.Headers.ContentLengthLong;
                response.Headers.TryGetValue("Content-Disposition", out string? disposition);
                return new KuduDumpResponse(body, length, response.Headers.ContentType, ServerFileName(disposition), served);
            }
            finally
            {
                message.Dispose();
            }
        }

        private static string ProcessPath(int id) => ProcessesPath + "/" + id.ToString(CultureInfo.InvariantCulture);

        private HttpMessage CreateMessage(string relativePath, string? instance, IKuduTrace trace, string accept = "application/json")
        {
            HttpMessage message = _pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            message.Request.Uri.Reset(new Uri(ScmUri, relativePath));
            message.Request.Headers.SetValue(HttpHeader.Names.Accept, accept);
            if (instance != null)
            {
                // The App Service front end routes by this cookie; both names carry the same value.
                message.Request.Headers.SetValue("Cookie", $"ARRAffinity={instance}; ARRAffinitySameSite={instance}");
            }

            message.SetProperty(KuduTracePolicy.TraceProperty, trace);
            return message;
        }

        /// <summary>Sends and turns failures into <see cref="KuduException"/>; returns the instance that answered.</summary>
        private async Task<string?> SendAsync(HttpMessage message, string? instance, CancellationToken cancellationToken, int? processId = null, bool dump = false)
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
                if (dump && ex is OperationCanceledException)
                {
                    throw new KuduException(KuduErrorKind.DumpTimedOut,
                        $"Kudu at {ScmUri.Authority} sent nothing for {DumpHeadersTimeout.TotalMinutes:N0} minutes after the dump was asked for. Ask for a smaller dump (-DumpType Mini or Heap).",
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
                    $"Instance {Short(instance)} of {ScmUri.Authority} is not running: the front end routed the request to instance {Short(served)} instead. List the current instances with Get-KuduInstance or Get-KuduProcess -AllInstances.",
                    response.Status, requestUri: uri);
            }

            if (response.Status >= 400)
            {
                throw ErrorFor(response, uri, processId, dump);
            }

            return served;
        }

        internal KuduException ErrorFor(Response response, Uri uri, int? processId, bool dump)
        {
            int status = response.Status;
            string body = ReadErrorBody(response);
            string? kuduMessage = KuduJson.TryReadErrorMessage(body);
            string shown = kuduMessage ?? FirstLine(body);
            string host = ScmUri.Authority;
            switch (status)
            {
                case 401:
                    return new KuduException(KuduErrorKind.AuthenticationFailed,
                        $"{host} refused the credentials (401 Unauthorized). The user name or password may be wrong, or SCM basic authentication may be disabled on the site (it is by default on new apps): use an Entra ID token (-AccessToken or -UseAzureIdentity) or enable basic publishing credentials for SCM.",
                        status, kuduMessage, uri);
                case 403:
                    return new KuduException(KuduErrorKind.AccessDenied,
                        $"{host} denied access (403 Forbidden). The identity needs Microsoft.Web/sites/publish/action on the site (Website Contributor, Contributor or Owner), and a token for https://appservice.azure.com or https://management.azure.com." + Detail(kuduMessage),
                        status, kuduMessage, uri);
                case 404 when processId != null:
                    return new KuduException(KuduErrorKind.ProcessNotFound,
                        kuduMessage ?? $"Process with an Id of {processId} is not running.",
                        status, kuduMessage, uri);
                case 400 when kuduMessage != null && kuduMessage.IndexOf("linux", StringComparison.OrdinalIgnoreCase) >= 0:
                    return new KuduException(KuduErrorKind.NotSupportedOnLinux,
                        $"{host} is a Linux app: {kuduMessage}. Kudu's process API works on Windows App Service only; on Linux use the diagnostics of dotnet-monitor or the portal's 'Diagnose and solve problems'.",
                        status, kuduMessage, uri);
                case 429:
                case 503:
                    return new KuduException(KuduErrorKind.Throttled,
                        $"{host} is busy or throttling ({status}) and kept refusing after several retries. Try again in a minute." + Detail(shown),
                        status, kuduMessage, uri);
            }

            if (dump)
            {
                if ((status == 500 && kuduMessage == null && body.IndexOf("timed out", StringComparison.OrdinalIgnoreCase) >= 0) || status == 502 || status == 504)
                {
                    return new KuduException(KuduErrorKind.DumpTimedOut,
                        $"The dump took longer than the App Service front end allows (about 230 seconds) and it dropped the request ({status}). Kudu writes the whole dump before sending a byte, and big full dumps take minutes: ask for a smaller dump (-DumpType Mini or Heap), or try when the process uses less memory.",
                        status, kuduMessage, uri);
                }

                if (kuduMessage != null && kuduMessage.IndexOf("does not support full minidump", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return new KuduException(KuduErrorKind.FullDumpNotSupported,
                        $"{kuduMessage} Scale the App Service plan above Free, or take a Mini or Heap dump.",
                        status, kuduMessage, uri);
                }

                if (kuduMessage != null && kuduMessage.IndexOf("being used by another process", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return new KuduException(KuduErrorKind.DumpInProgress,
                        $"Another dump is being written on {host} (Kudu writes every dump of a site to one file). Wait for it to finish, then try again. Kudu said: {kuduMessage}",
                        status, kuduMessage, uri);
                }

                if (status == 500)
                {
                    return new KuduException(KuduErrorKind.DumpFailed,
                        $"Kudu failed to write the dump: {shown}",
                        status, kuduMessage, uri);
                }
            }

            return new KuduException(status >= 500 ? KuduErrorKind.ServerError : KuduErrorKind.BadRequest,
                $"{host} answered {status} {response.ReasonPhrase}." + Detail(shown),
                status, kuduMessage, uri);
        }

        private static T ReadJson<T>(HttpMessage message, Func<JsonElement, T> parse)
        {
            Response response = message.Response;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(response.Content.ToMemory());
                return parse(doc.RootElement);
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException)
            {
                string contentType = response.Headers.ContentType ?? "no content type";
                throw new KuduException(KuduErrorKind.InvalidResponse,
                    $"Kudu's answer from {message.Request.Uri.Host} is not the process JSON expected ({contentType}; {ex.Message}). A proxy or sign-in page may be answering instead of the SCM site.",
                    response.Status, requestUri: message.Request.Uri.ToUri(), inner: ex);
            }
        }

        private static string ReadErrorBody(Response response)
        {
            try
            {
                if (response.ContentStream is MemoryStream || response.ContentStream == null)
                {
                    return response.Content.ToString();
                }

                // Unbuffered (a dump request): read a bounded amount of the error body.
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

        private static string Detail(string? message) => string.IsNullOrWhiteSpace(message) ? string.Empty : " Server said: " + message;

        private static string FirstLine(string body)
        {
            string text = body.Trim();
            int newline = text.IndexOfAny(new[] { '\r', '\n' });
            if (newline >= 0)
            {
                text = text.Substring(0, newline);
            }

            return text.Length > 300 ? text.Substring(0, 300) + "..." : text;
        }

        internal static string Short(string instance) => instance.Length > 6 ? instance.Substring(0, 6) : instance;

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }

    /// <summary>An open dump response: headers read, body not yet consumed.</summary>
    internal sealed class KuduDumpResponse : IDisposable
    {
        public KuduDumpResponse(Stream body, long? contentLength, string? contentType, string? serverFileName, string? instance)
        {
            Body = body;
            ContentLength = contentLength;
            ContentType = contentType;
            ServerFileName = serverFileName;
            Instance = instance;
        }

        public Stream Body { get; }
        public long? ContentLength { get; }
        public string? ContentType { get; }
        public string? ServerFileName { get; }
        public string? Instance { get; }

        public void Dispose() => Body.Dispose();
    }
}
