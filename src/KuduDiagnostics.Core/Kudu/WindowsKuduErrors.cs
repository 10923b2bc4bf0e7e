using System;
using Azure;
using Azure.Core;

namespace KuduDiagnostics.Kudu
{
    /// <summary>What Windows Kudu's error answers mean, in words that say what to do.</summary>
    internal sealed class WindowsKuduErrors
    {
        private readonly string _host;

        public WindowsKuduErrors(string host)
        {
            _host = host;
        }

        /// <summary>
        /// Kudu's own 500s carry {"Message":...} and are deterministic (no such w3wp, access denied); a 500 without
        /// that body comes from the front end or a recycling worker and may pass, so it is retried.
        /// </summary>
        public static bool IsKuduError(Response response)
        {
            string? mediaType = response.Headers.ContentType;
            if (mediaType == null || mediaType.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0)
            {
                return false;
            }

            try
            {
                return KuduJson.TryReadErrorMessage(response.Content.ToString()) != null;
            }
            catch (InvalidOperationException)
            {
                return false; // content was not buffered
            }
        }

        /// <summary>The error of an answer, with the instance that gave it (<see cref="KuduException.AnsweredBy"/>).</summary>
        public KuduException ErrorFor(Response response, Uri uri, int? processId, string? servedInstance, bool dump, int attempts = 1)
        {
            KuduException error = Classify(response, uri, processId, servedInstance, dump, attempts);
            error.AnsweredBy = servedInstance;
            return error;
        }

        private KuduException Classify(Response response, Uri uri, int? processId, string? servedInstance, bool dump, int attempts)
        {
            int status = response.Status;
            string body = KuduTransport.ReadErrorBody(response);
            string? kuduMessage = KuduJson.TryReadErrorMessage(body);
            string shown = kuduMessage ?? FirstLine(body);
            string host = _host;
            switch (status)
            {
                case 401:
                case 403:
                    return AccessError(host, status, kuduMessage, uri);
                case 404 when processId != null:
                    string answered = servedInstance == null ? "The instance the front end picked answered" : $"Instance {KuduTarget.ShortId(servedInstance)} answered";
                    return new KuduException(KuduErrorKind.ProcessNotFound,
                        $"{kuduMessage ?? $"Process with an Id of {processId} is not running."} {answered}: the process has exited, or it runs on another instance.",
                        status, kuduMessage, uri, advice: AdviceKey.ProcessOnAnotherInstance);
                case 400 when kuduMessage != null && kuduMessage.IndexOf("linux", StringComparison.OrdinalIgnoreCase) >= 0:
                    return new KuduException(KuduErrorKind.NotSupportedOnLinux,
                        $"{host} is a Linux app: {kuduMessage}. Kudu's process API works on Windows App Service only; on Linux use the diagnostics of dotnet-monitor or the portal's 'Diagnose and solve problems'.",
                        status, kuduMessage, uri);
                case 429:
                case 503:
                    return new KuduException(KuduErrorKind.Throttled,
                        (attempts <= 1
                            ? $"{host} is busy or throttling ({status}) and refused the request; it was not retried after one request{(dump ? " (each dump request freezes the process again)" : string.Empty)}. Try again in a minute."
                            : $"{host} is busy or throttling ({status}) and kept refusing after {attempts} requests. Try again in a minute.") + Detail(shown),
                        status, kuduMessage, uri);
            }

            if (dump)
            {
                if ((status == 500 && kuduMessage == null && body.IndexOf("timed out", StringComparison.OrdinalIgnoreCase) >= 0) || status == 502 || status == 504)
                {
                    return new KuduException(KuduErrorKind.DumpTimedOut,
                        $"The dump took longer than the App Service front end allows (about 230 seconds) and it dropped the request ({status}). Kudu writes the whole dump before sending a byte, and big full dumps take minutes.",
                        status, kuduMessage, uri, advice: AdviceKey.SmallerWindowsDumpOrLessMemory);
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
                $"{host} answered {status} {ConsoleText.Clean(response.ReasonPhrase)}." + Detail(shown),
                status, kuduMessage, uri);
        }

        /// <summary>401 and 403 mean the same on every SCM site, Windows Kudu or KuduLite.</summary>
        internal static KuduException AccessError(string host, int status, string? serverMessage, Uri uri) => status == 401
            ? new KuduException(KuduErrorKind.AuthenticationFailed,
                $"{host} refused the credentials (401 Unauthorized). The user name or password may be wrong, or SCM basic authentication may be disabled on the site (it is by default on new apps).",
                status, serverMessage, uri, advice: AdviceKey.EntraTokenOrBasicAuthentication)
            : new KuduException(KuduErrorKind.AccessDenied,
                $"{host} denied access (403 Forbidden). The identity needs Microsoft.Web/sites/publish/action on the site (Website Contributor, Contributor or Owner), and a token for https://appservice.azure.com or https://management.azure.com." + Detail(serverMessage),
                status, serverMessage, uri);

        internal static string Detail(string? message) => string.IsNullOrWhiteSpace(message) ? string.Empty : " Server said: " + message;

        internal static string FirstLine(string body)
        {
            string text = body.Trim();
            int newline = text.IndexOfAny(new[] { '\r', '\n' });
            if (newline >= 0)
            {
                text = text.Substring(0, newline);
            }

            return text.Length > 300 ? text.Substring(0, 300) + "..." : text;
        }
    }
}
