using System;
using Azure;

namespace KuduDiagnostics.Kudu
{
    /// <summary>What KuduLite's and dotnet-monitor's error answers mean, each with the fix.</summary>
    internal static class LinuxKuduErrors
    {
        private const string EnableMonitor = "Set the app setting WEBSITE_USE_DOTNET_MONITOR=true and restart the app (.NET stacks only).";

        public static KuduException ErrorFor(string host, Response response, Uri uri, int? processId, bool dump)
        {
            int status = response.Status;
            string body = KuduTransport.ReadErrorBody(response);
            string? detail = ProblemDetail(body) ?? KuduJson.TryReadErrorMessage(body);
            string shown = detail ?? WindowsKuduErrors.FirstLine(body);
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

            // dotnet-monitor answers an unknown pid with 400; an empty 404 means there is no process API at all.
            if (status == 404 && body.Trim().Length == 0)
            {
                return new KuduException(KuduErrorKind.ProcessApiUnavailable,
                    $"{host} has no process API (404): Linux Consumption and Flex Consumption apps have none. Use Application Insights, or run the app on a dedicated (App Service or Premium) plan to take dumps.",
                    status, detail, uri);
            }

            if (status == 502 && (!dump || Contains(body, "proxied")))
            {
                return new KuduException(KuduErrorKind.DotnetMonitorUnreachable,
                    $"KuduLite on {host} could not reach dotnet-monitor in the app's container (502: {shown}). The app may be starting or recycling: try again in a minute; if it persists, restart the app. {EnableMonitor}",
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
                    $"The dump took longer than the App Service front end allows (about 230 seconds) and it dropped the request ({status}). dotnet-monitor writes the whole dump before sending a byte: ask for a smaller dump (-DumpType Mini or Heap).",
                    status, detail, uri);
            }

            if (dump && status == 500)
            {
                return new KuduException(KuduErrorKind.DumpFailed, $"dotnet-monitor failed to write the dump: {shown}", status, detail, uri);
            }

            return new KuduException(status >= 500 ? KuduErrorKind.ServerError : KuduErrorKind.BadRequest,
                $"{host} answered {status} {response.ReasonPhrase}." + WindowsKuduErrors.Detail(shown),
                status, detail, uri);
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
