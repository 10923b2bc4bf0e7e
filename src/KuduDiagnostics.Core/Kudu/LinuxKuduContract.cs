using System;
using System.Collections.Generic;
using System.Text.Json;
using Azure;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// A Linux app's process API: KuduLite proxies /api/processes to dotnet-monitor in the app's container
    /// (WEBSITE_USE_DOTNET_MONITOR=true, .NET stacks). Only .NET processes are listed; dumps are ELF cores the
    /// runtime writes, asked for by name (type=Mini|WithHeap|Full|Triage), sent chunked without a length.
    /// </summary>
    internal sealed class LinuxKuduContract : KuduContract
    {
        // 7F 'E' 'L' 'F': every core file the .NET runtime's dump writer makes.
        private static readonly DumpFormat Core = new DumpFormat { Name = "raw", Signature = new byte[] { 0x7F, 0x45, 0x4C, 0x46 }, SignatureName = "ELF core (7F 45 4C 46)", Extension = ".dmp", Accept = "application/octet-stream", Layout = DumpLayout.ElfCore };

        public LinuxKuduContract(KuduTransport transport)
            : base(transport)
        {
        }

        public override KuduPlatform Platform => KuduPlatform.Linux;

        /// <summary>The .NET host process that runs the app in the container.</summary>
        public override string DefaultWorkerName => "dotnet";

        public override DumpFormat DumpFormat(bool zip) => zip
            ? throw new KuduException(KuduErrorKind.DumpTypeNotSupported, "dotnet-monitor sends the core file itself; -Format Zip (the dump with SOS) exists on Windows only. Leave -Format out.")
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
                "-DumpTypeMask is a Windows MINIDUMP_TYPE mask; dotnet-monitor on Linux takes -DumpType Mini, Heap, Full or Triage."),
        };

        public override KuduException ErrorFor(Response response, Uri uri, int? processId, string? servedInstance, bool dump, int attempts = 1)
        {
            KuduException error = LinuxKuduErrors.ErrorFor(Host, response, uri, processId, dump);
            error.AnsweredBy = servedInstance;
            return error;
        }

        // dotnet-monitor's 500s (a dump that failed to write) may pass; KuduLite's own are rare. Retry reads.
        protected override bool IsDeterministicServerError(Response response) => false;

        protected override List<KuduProcess> ParseList(JsonElement root) => KuduJson.ParseMonitorProcessList(root);

        protected override KuduProcessDetail ParseDetail(JsonElement root) => KuduJson.ParseMonitorProcessDetail(root);

        protected override string DumpQuery(DumpKind kind, DumpFormat format) => "type=" + TypeOf(kind);
    }
}
