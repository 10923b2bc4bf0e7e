using System;
using Azure;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// What KuduLite's, its proxy's (AspNetCore.Proxy) and dotnet-monitor's error answers mean, each with the fix.
    /// The order matters: an answer is read with what the site already answered this session.
    /// </summary>
    internal static class LinuxKuduErrors
    {
        private const string EnableMonitor = "Set the app setting WEBSITE_USE_DOTNET_MONITOR=true and restart the app (.NET stacks only).";

        // AspNetCore.Proxy's answer to a failed forward: this line, a blank line, the exception's message, its stack.
        private const string ProxyFailed = "Request could not be proxied.";

        public static KuduException ErrorFor(string host, Response response, Uri uri, int? processId, bool dump, SiteAnswers answers)
        {
            int status = response.Status;
            string body = KuduTransport.ReadErrorBody(response);
            string? detail = ProblemDetail(body) ?? KuduJson.TryReadErrorMessage(body);
            string shown = detail ?? WindowsKuduErrors.FirstLine(body);
            bool empty = body.Trim().Length == 0;
            bool proxied = Contains(body, ProxyFailed);

            // The front end's 401 has a text body; dotnet-monitor's (behind the proxy) has none.
            if (status == 401 && empty && answers.CredentialsAccepted)
            {
                return new KuduException(KuduErrorKind.DotnetMonitorAuthenticationRequired, MonitorAuthentication(host), status, detail, uri, advice: AdviceKey.NewSessionIfCredentialsChanged);
            }

            if (status == 401 || status == 403)
            {
                return WindowsKuduErrors.AccessError(host, status, detail, uri);
            }

            if (status == 400 && Contains(body, "Not supported on Linux"))
            {
                return new KuduException(KuduErrorKind.NotSupportedOnLinux,
                    $"{host} is a Linux app and said 'Not supported on Linux': Kudu's own process API works on Windows only, and on Linux it goes through dotnet-monitor, which is off for this app. {EnableMonitor}",
                    status, detail, uri);
            }

            if (status == 404 && Contains(body, "dotnet-monitor"))
            {
                return new KuduException(KuduErrorKind.DotnetMonitorNotRunning,
                    $"dotnet-monitor is enabled on {host} but not running in the app's container ({shown}). Restart the app; if it stays so, check that the stack is .NET and that WEBSITE_USE_DOTNET_MONITOR=true is set.",
                    status, detail, uri);
            }

            // dotnet-monitor answers an unknown pid with 400: an empty 404 on a detail or dump of a site whose list
            // works is a route it does not serve. Without a working list it means there is no process API at all.
            if (status == 404 && empty && processId != null && answers.ListAnswered)
            {
                return RouteNotServed(host, processId.Value, uri);
            }

            if (status == 404 && empty)
            {
                return new KuduException(KuduErrorKind.ProcessApiUnavailable,
                    $"{host} has no process API (404): Linux Consumption and Flex Consumption apps have none. Use Application Insights, or run the app on a dedicated (App Service or Premium) plan to take dumps.",
                    status, detail, uri);
            }

            if (status == 502 && proxied && dump && IsCanceled(body))
            {
                return new KuduException(KuduErrorKind.DumpTimedOut,
                    $"KuduLite's proxy gave up waiting for dotnet-monitor to send the dump (502: {ProxyMessage(body)}). It cancels a forwarded request after 10 minutes, and dotnet-monitor writes the whole dump before sending a byte, which takes longer for a large process.",
                    status, detail, uri, advice: AdviceKey.SmallerLinuxDumpOrLessMemory);
            }

            if (status == 502 && (!dump || proxied))
            {
                return new KuduException(KuduErrorKind.DotnetMonitorUnreachable,
                    $"KuduLite on {host} could not reach dotnet-monitor in the app's container (502: {(proxied ? ProxyMessage(body) : shown)}). The app may be starting or recycling: try again in a minute; if it persists, restart the app.",
                    status, detail, uri);
            }

            if (status == 429)
            {
                return new KuduException(KuduErrorKind.DotnetMonitorBusy,
                    $"dotnet-monitor on {host} is busy (429): it takes one dump at a time per instance. Wait for the running dump to finish, then ask again.",
                    status, detail, uri);
            }

            if (processId != null && (status == 404 || (status == 400 && Contains(body, "target process"))))
            {
                return new KuduException(KuduErrorKind.ProcessNotFound,
                    $"Process with an Id of {processId} is not running (dotnet-monitor lists only .NET processes).",
                    status, detail, uri);
            }

            if (dump && (status == 502 || status == 504))
            {
                return new KuduException(KuduErrorKind.DumpTimedOut,
                    $"The dump took longer than the App Service front end allows (about 230 seconds) and it dropped the request ({status}). dotnet-monitor writes the whole dump before sending a byte.",
                    status, detail, uri, advice: AdviceKey.SmallerLinuxDump);
            }

            if (dump && status == 500)
            {
                return new KuduException(KuduErrorKind.DumpFailed, $"dotnet-monitor failed to write the dump: {shown}", status, detail, uri);
            }

            return new KuduException(status >= 500 ? KuduErrorKind.ServerError : KuduErrorKind.BadRequest,
                $"{host} answered {status} {response.ReasonPhrase}." + WindowsKuduErrors.Detail(shown),
                status, detail, uri);
        }

        /// <summary>
        /// KuduLite forwards details to /processes/{pid} and dumps to /dump/{pid}, routes dotnet-monitor served up to
        /// 5.0.0-preview.5 only; later versions answer them 404 with an empty body. One text for every such call.
        /// </summary>
        public static KuduException RouteNotServed(string host, int processId, Uri? uri) => new KuduException(KuduErrorKind.DotnetMonitorRouteNotServed,
            $"{host} lists this app's processes, but dotnet-monitor answers process details and dumps with 404 and an empty body: KuduLite forwards them to routes (/processes/{{pid}}, /dump/{{pid}}) that this app's dotnet-monitor no longer serves (since 5.0.0-preview.6 it takes /process?pid= and /dump?pid=). Kudu's process API cannot take this dump. Take it with the portal's Diagnose and Solve Problems > Memory Dump (Linux), or SSH into the container (az webapp ssh, or https://{host}/webssh/host) and run: dotnet-dump collect -p {processId}",
            404, null, uri);

        private static string MonitorAuthentication(string host) =>
            $"{host} accepted this session's credentials, but the request KuduLite forwarded to dotnet-monitor in the app's container came back 401 Unauthorized: dotnet-monitor itself may require its own authentication (an API key). KuduLite's proxy passes our Authorization header on to it, and dotnet-monitor does not take the site's credentials. Where you configure dotnet-monitor, let it answer without a key (--no-auth), or take the dump with the portal's Diagnose and Solve Problems > Memory Dump.";

        /// <summary>The proxy's HttpClient timed out or the forward was cancelled (not a refused or unknown host).</summary>
        private static bool IsCanceled(string body) =>
            Contains(body, "canceled") || Contains(body, "cancelled") || Contains(body, "HttpClient.Timeout");

        /// <summary>The exception message of AspNetCore.Proxy's 502 body (the paragraph after its first line).</summary>
        private static string ProxyMessage(string body)
        {
            string rest = body.Substring(body.IndexOf(ProxyFailed, StringComparison.OrdinalIgnoreCase) + ProxyFailed.Length);
            string message = WindowsKuduErrors.FirstLine(rest);
            return message.Length == 0 ? ProxyFailed : message;
        }

        /// <summary>The "detail" of an RFC 7807 problem body, dotnet-monitor's error shape.</summary>
        private static string? ProblemDetail(string body)
        {
            if (body.IndexOf("\"detail\"", StringComparison.Ordinal) < 0)
            {
                return null;
            }

            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(body);
                return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static bool Contains(string text, string what) => text.IndexOf(what, StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
