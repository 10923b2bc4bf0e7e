using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// A Linux app's process API: KuduLite proxies /api/processes to dotnet-monitor in the app's container
    /// (WEBSITE_USE_DOTNET_MONITOR=true, .NET stacks). Only .NET processes are listed; dumps are ELF cores the
    /// runtime writes, asked for by name (type=Mini|WithHeap|Full|Triage), sent chunked without a length.
    /// KuduLite forwards details and dumps to routes only dotnet-monitor 5.0.0-preview.5 and older serve: the first
    /// detail or dump tells whether this app's does, and once it does not, later ones fail at once.
    /// </summary>
    internal sealed class LinuxKuduContract : KuduContract
    {
        // 7F 'E' 'L' 'F': every core file the .NET runtime's dump writer makes.
        private static readonly DumpFormat Core = new DumpFormat { Name = "raw", Extension = ".dmp", Accept = "application/octet-stream", Layout = DumpLayout.ElfCore };

        public LinuxKuduContract(KuduTransport transport, SiteAnswers answers)
            : base(transport, answers)
        {
        }

        public override KuduPlatform Platform => KuduPlatform.Linux;

        /// <summary>The .NET host process that runs the app in the container.</summary>
        public override string DefaultWorkerName => "dotnet";

        public override DumpFormat DumpFormat(bool zip) => zip
            ? throw new KuduException(KuduErrorKind.DumpTypeNotSupported, "dotnet-monitor sends the core file itself; the zip (the dump with SOS) exists on Windows only.", advice: AdviceKey.LinuxFormat)
            : Core;

        /// <summary>KuduLite ignores format=zip: dotnet-monitor's core comes as it is.</summary>
        public override DumpFormat? CompressedDumpFormat => null;

        /// <summary>Linux has no MINIDUMP_TYPE mask.</summary>
        public override int? WireMask(DumpKind kind) => null;

        /// <summary>dotnet-monitor's name for each kind. A Windows-style dumpType=N is ignored there and yields a huge WithHeap dump: never sent.</summary>
        internal static string TypeOf(DumpKind kind) => kind.Type switch
        {
            DumpType.Mini => "Mini",
            DumpType.Heap => "WithHeap",
            DumpType.Full => "Full",
            DumpType.Triage => "Triage",
            _ => throw new KuduException(KuduErrorKind.DumpTypeNotSupported,
                "A MINIDUMP_TYPE mask is Windows's; dotnet-monitor on Linux takes Mini, Heap, Full or Triage.", advice: AdviceKey.LinuxDumpTypes),
        };

        public override KuduException ErrorFor(Response response, Uri uri, int? processId, string? servedInstance, bool dump, int attempts = 1)
        {
            KuduException error = LinuxKuduErrors.ErrorFor(Host, response, uri, processId, dump, Answers);
            error.AnsweredBy = servedInstance;
            return error;
        }

        public override async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            ThrowIfRoutesNotServed(id);
            try
            {
                KuduProcessDetail detail = await base.GetProcessAsync(instance, id, call, cancellationToken).ConfigureAwait(false);
                Answers.Learn(DotnetMonitorRoutes.Served);
                return detail;
            }
            catch (KuduException ex) when (IsEmptyNotFound(ex))
            {
                throw await RouteVerdictAsync(ex, instance, id, call, cancellationToken).ConfigureAwait(false);
            }
        }

        public override async Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, DumpKind kind, DumpFormat format, KuduCall call, CancellationToken cancellationToken)
        {
            ThrowIfRoutesNotServed(id);
            try
            {
                KuduDumpResponse response = await base.OpenDumpAsync(instance, id, kind, format, call, cancellationToken).ConfigureAwait(false);
                Answers.Learn(DotnetMonitorRoutes.Served);
                return response;
            }
            catch (KuduException ex) when (IsEmptyNotFound(ex))
            {
                throw await RouteVerdictAsync(ex, instance, id, call, cancellationToken).ConfigureAwait(false);
            }
        }

        private void ThrowIfRoutesNotServed(int id)
        {
            if (Answers.Routes == DotnetMonitorRoutes.NotServed)
            {
                throw LinuxKuduErrors.RouteNotServed(Host, id, null);
            }
        }

        private static bool IsEmptyNotFound(KuduException ex) =>
            ex.Kind == KuduErrorKind.DotnetMonitorRouteNotServed || ex.Kind == KuduErrorKind.ProcessApiUnavailable;

        /// <summary>
        /// An empty 404 on a detail or dump: a route this dotnet-monitor does not serve when the process list works,
        /// no process API at all when it does not. Asks the list once when this session has not seen it answer.
        /// </summary>
        private async Task<KuduException> RouteVerdictAsync(KuduException error, string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            if (error.Kind == KuduErrorKind.ProcessApiUnavailable)
            {
                try
                {
                    await ListProcessesAsync(instance, call, cancellationToken).ConfigureAwait(false);
                }
                catch (KuduException)
                {
                    return error; // the list fails too: the original answer stands
                }

                KuduException routed = LinuxKuduErrors.RouteNotServed(Host, id, error.RequestUri);
                routed.AnsweredBy = error.AnsweredBy;
                error = routed;
            }

            if (Answers.Learn(DotnetMonitorRoutes.NotServed))
            {
                call.Trace.Verbose($"{Host}: dotnet-monitor does not serve the routes KuduLite forwards process details and dumps to (an empty 404 while the list works). This session's DotnetMonitorRoutes is now NotServed: further details and dumps fail at once, without a request.");
            }

            return error;
        }

        // dotnet-monitor's 500s (a dump that failed to write) may pass; KuduLite's own are rare. Retry reads.
        protected override bool IsDeterministicServerError(Response response) => false;

        protected override List<KuduProcess> ParseList(JsonElement root) => KuduJson.ParseMonitorProcessList(root);

        protected override KuduProcessDetail ParseDetail(JsonElement root) => KuduJson.ParseMonitorProcessDetail(root);

        protected override string DumpQuery(DumpKind kind, DumpFormat format) => "type=" + TypeOf(kind);
    }
}
