using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Azure;

namespace KuduDiagnostics.Kudu
{
    /// <summary>Windows Kudu's process API (see docs/kudu-api.md): its JSON, the dump query, minidump formats.</summary>
    internal sealed class WindowsKuduContract : KuduContract
    {
        private const string DumpAccept = "application/octet-stream, application/zip";

        // A minidump smaller than 16 KiB usually means Kudu could not read the process.
        private static readonly DumpFormat Raw = new DumpFormat { Name = "raw", Extension = ".dmp", Accept = DumpAccept, Layout = DumpLayout.Minidump, SmallestPlausibleLength = 16 * 1024 };
        private static readonly DumpFormat Zip = new DumpFormat { Name = "zip", Extension = ".zip", ContentType = "application/zip", Accept = DumpAccept, Layout = DumpLayout.Zip };

        private readonly WindowsKuduErrors _errors;

        public WindowsKuduContract(KuduTransport transport, SiteAnswers answers)
            : base(transport, answers)
        {
            _errors = new WindowsKuduErrors(transport.ScmUri.Authority);
        }

        public override KuduPlatform Platform => KuduPlatform.Windows;

        public override string DefaultWorkerName => "w3wp";

        public override DumpFormat DumpFormat(bool zip) => FormatOf(zip);

        public override DumpFormat? CompressedDumpFormat => Zip;

        public override int? WireMask(DumpKind kind) => MaskOf(kind);

        public override KuduException ErrorFor(Response response, Uri uri, int? processId, string? servedInstance, bool dump, int attempts = 1) =>
            _errors.ErrorFor(response, uri, processId, servedInstance, dump, attempts);

        internal static DumpFormat FormatOf(bool zip) => zip ? Zip : Raw;

        /// <summary>The MINIDUMP_TYPE mask Kudu gets for a dump kind.</summary>
        internal static int MaskOf(DumpKind kind) => kind.RawMask ?? kind.Type switch
        {
            DumpType.Mini => 0x1,       // MiniDumpWithDataSegs
            DumpType.Full => 0x2,       // MiniDumpWithFullMemory
            DumpType.Heap => 0x41A25,   // what dotnet-dump calls "with heap"
            _ => throw new KuduException(KuduErrorKind.DumpTypeNotSupported,
                $"Windows Kudu has no {kind.Label} dump.", advice: AdviceKey.WindowsDumpTypes),
        };

        protected override bool IsDeterministicServerError(Response response) => WindowsKuduErrors.IsKuduError(response);

        protected override List<KuduProcess> ParseList(JsonElement root) => KuduJson.ParseProcessList(root);

        protected override KuduProcessDetail ParseDetail(JsonElement root) => KuduJson.ParseProcessDetail(root);

        protected override string DumpQuery(DumpKind kind, DumpFormat format) =>
            "dumpType=" + MaskOf(kind).ToString(CultureInfo.InvariantCulture) + "&format=" + format.Name;
    }
}
