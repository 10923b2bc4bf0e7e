using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>What a process operation is, for the words of its errors.</summary>
    internal enum ProcessOperation
    {
        Threads,
        Modules,
        Stop,
        Profile,
    }

    /// <summary>
    /// Threads, modules, stop and profiles on the wire (docs/kudu-api.md). Reads are retried like every read; the
    /// kill and the profile requests change the process, so they are sent once. KuduLite answers each with 400
    /// "Not supported on Linux": that becomes one error per operation saying what to use instead.
    /// </summary>
    internal abstract partial class KuduContract
    {
        // VSDiagnostics writes the .diagsession before Kudu sends a byte; that takes seconds to a few minutes.
        private static readonly TimeSpan ProfileStopTimeout = TimeSpan.FromMinutes(10);

        private static readonly ResponseClassifier Once = new NeverRetryClassifier();

        public async Task<(List<KuduThread> Threads, string? ServedInstance)> ListThreadsAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(ProcessPath(id) + "/threads", instance, call, cancellationToken).ConfigureAwait(false);
            ThrowIfOperationFailed(reply, id, ProcessOperation.Threads);
            return (KuduTransport.ReadJson(reply, KuduJson.ParseThreadList), reply.ServedInstance);
        }

        public async Task<KuduThread?> GetThreadAsync(string? instance, int id, int threadId, KuduCall call, CancellationToken cancellationToken)
        {
            string path = ProcessPath(id) + "/threads/" + threadId.ToString(CultureInfo.InvariantCulture);
            using KuduReply reply = await SendReadAsync(path, instance, call, cancellationToken).ConfigureAwait(false);
            if (IsItemGone(reply))
            {
                return null;
            }

            ThrowIfOperationFailed(reply, id, ProcessOperation.Threads);
            return KuduTransport.ReadJson(reply, KuduJson.ParseThread);
        }

        public async Task<(List<KuduModule> Modules, string? ServedInstance)> ListModulesAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendReadAsync(ProcessPath(id) + "/modules", instance, call, cancellationToken).ConfigureAwait(false);
            ThrowIfOperationFailed(reply, id, ProcessOperation.Modules);
            return (KuduTransport.ReadJson(reply, KuduJson.ParseModuleList), reply.ServedInstance);
        }

        public async Task<KuduModule?> GetModuleAsync(string? instance, int id, string baseAddress, KuduCall call, CancellationToken cancellationToken)
        {
            string path = ProcessPath(id) + "/modules/" + Uri.EscapeDataString(baseAddress);
            using KuduReply reply = await SendReadAsync(path, instance, call, cancellationToken).ConfigureAwait(false);
            if (IsItemGone(reply))
            {
                return null;
            }

            ThrowIfOperationFailed(reply, id, ProcessOperation.Modules);
            return KuduTransport.ReadJson(reply, KuduJson.ParseModule);
        }

        public async Task<string?> KillAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            HttpMessage message = Transport.CreateMessage(ProcessPath(id), instance, call, "application/json", Once);
            message.Request.Method = RequestMethod.Delete;
            using KuduReply reply = await Transport.SendAsync(message, instance, longRequest: false, cancellationToken).ConfigureAwait(false);
            ThrowIfOperationFailed(reply, id, ProcessOperation.Stop);
            return reply.ServedInstance;
        }

        public async Task<string?> StartProfileAsync(string? instance, int id, bool iisProfiling, KuduCall call, CancellationToken cancellationToken)
        {
            string path = ProcessPath(id) + "/profile/start?iisProfiling=" + (iisProfiling ? "true" : "false");
            HttpMessage message = Transport.CreateMessage(path, instance, call, "application/json", Once);
            message.Request.Method = RequestMethod.Post;
            using KuduReply reply = await Transport.SendAsync(message, instance, longRequest: false, cancellationToken).ConfigureAwait(false);
            ThrowIfOperationFailed(reply, id, ProcessOperation.Profile);
            return reply.ServedInstance;
        }

        public async Task<KuduDumpResponse> StopProfileAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            HttpMessage message = Transport.CreateMessage(ProcessPath(id) + "/profile/stop", instance, call, "application/octet-stream", Once);
            message.BufferResponse = false;
            message.NetworkTimeout = ProfileStopTimeout;
            using KuduReply reply = await Transport.SendAsync(message, instance, longRequest: false, cancellationToken).ConfigureAwait(false);
            Response response = reply.Response;
            if (response.Status >= 400)
            {
                // The body is a stream here: read once, then classified without the generic reader.
                throw ProfileStopError(reply, id, KuduTransport.ReadErrorBody(response));
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

        /// <summary>Kudu answers a thread or module that is gone with an empty 404 (a gone process has a message).</summary>
        private static bool IsItemGone(KuduReply reply) =>
            reply.Response.Status == 404 && KuduJson.TryReadErrorMessage(KuduTransport.ReadErrorBody(reply.Response)) == null;

        private void ThrowIfOperationFailed(KuduReply reply, int id, ProcessOperation operation)
        {
            Response response = reply.Response;
            if (response.Status < 400)
            {
                return;
            }

            if (response.Status == 400 && IsLinuxRefusal(KuduTransport.ReadErrorBody(response)))
            {
                throw NotOnLinux(operation, reply);
            }

            throw ErrorFor(response, reply.Uri, id, reply.ServedInstance, dump: false);
        }

        private KuduException ProfileStopError(KuduReply reply, int id, string body)
        {
            Response response = reply.Response;
            string? kuduMessage = KuduJson.TryReadErrorMessage(body);
            KuduException error;
            if (response.Status == 400 && IsLinuxRefusal(body))
            {
                return NotOnLinux(ProcessOperation.Profile, reply);
            }

            if (response.Status == 404 && kuduMessage != null && kuduMessage.IndexOf("Profiling for process", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                error = new KuduException(KuduErrorKind.ProfileNotRunning,
                    $"{kuduMessage} Kudu ends a profile by itself after 15 minutes without a stop (an IIS profile after its own timeout), or the process restarted.",
                    response.Status, kuduMessage, reply.Uri);
            }
            else if (response.Status == 404)
            {
                error = new KuduException(KuduErrorKind.ProcessNotFound,
                    $"{kuduMessage ?? $"Process with an Id of {id} is not running."} The process exited while it was profiled.",
                    response.Status, kuduMessage, reply.Uri);
            }
            else
            {
                string shown = kuduMessage ?? WindowsKuduErrors.FirstLine(body);
                error = new KuduException(response.Status >= 500 ? KuduErrorKind.ServerError : KuduErrorKind.BadRequest,
                    $"{Host} answered {response.Status} {response.ReasonPhrase} when asked to stop the profile." + WindowsKuduErrors.Detail(shown),
                    response.Status, kuduMessage, reply.Uri);
            }

            error.AnsweredBy = reply.ServedInstance;
            return error;
        }

        private static bool IsLinuxRefusal(string body) => body.IndexOf("Not supported on Linux", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>KuduLite's own words, and what does the job on a Linux app instead.</summary>
        private KuduException NotOnLinux(ProcessOperation operation, KuduReply reply)
        {
            string what = operation switch
            {
                ProcessOperation.Threads => "a process's threads",
                ProcessOperation.Modules => "a process's modules",
                ProcessOperation.Stop => "stopping a process",
                _ => "CPU profiling",
            };
            string? instead = operation switch
            {
                ProcessOperation.Threads => "Take a dump instead and read its threads (dotnet-dump analyze: clrthreads, or the dump analysis of this module).",
                ProcessOperation.Modules => "Take a dump instead and list its modules (dotnet-dump analyze: modules).",
                ProcessOperation.Stop => null,
                _ => "Record a trace with dotnet-trace in the container (SSH), or the portal's Diagnose and solve problems (Collect .NET Profiler Trace).",
            };
            var error = new KuduException(KuduErrorKind.NotSupportedOnLinux,
                $"{Host} is a Linux app, and KuduLite answers {what} with 'Not supported on Linux'." + (instead == null ? string.Empty : " " + instead),
                reply.Response.Status, "Not supported on Linux", reply.Uri, advice: operation == ProcessOperation.Stop ? AdviceKey.RestartLinuxApp : null)
            {
                AnsweredBy = reply.ServedInstance,
            };
            return error;
        }
    }
}
