using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>Windows Kudu's process API (see docs/kudu-api.md): routes, JSON shapes, the dump query, minidump formats.</summary>
    internal sealed class WindowsKuduContract : IKuduContract
    {
        internal const string ProcessesPath = "api/processes";

        // Kudu's version and the site's last change: small, and every authenticated caller may read it.
        internal const string EnvironmentPath = "api/environment";

        private const string DumpAccept = "application/octet-stream, application/zip";

        // A minidump smaller than 16 KiB usually means Kudu could not read the process.
        private static readonly DumpFormat Raw = new DumpFormat { Name = "raw", Signature = new byte[] { 0x4D, 0x44, 0x4D, 0x50 }, SignatureName = "minidump (MDMP)", Extension = ".dmp", Accept = DumpAccept, SmallestPlausibleLength = 16 * 1024 };
        private static readonly DumpFormat Zip = new DumpFormat { Name = "zip", Signature = new byte[] { 0x50, 0x4B, 0x03, 0x04 }, SignatureName = "zip (PK)", Extension = ".zip", ContentType = "application/zip", Accept = DumpAccept };

        private readonly KuduTransport _transport;
        private readonly WindowsKuduErrors _errors;
        private readonly ResponseClassifier _reads;
        private readonly ResponseClassifier _dumps = new NeverRetryClassifier();

        public WindowsKuduContract(KuduTransport transport)
        {
            _transport = transport;
            _errors = new WindowsKuduErrors(transport.ScmUri.Authority);
            _reads = new ReadRetryClassifier(WindowsKuduErrors.IsKuduError);
        }

        public string Platform => "Windows";

        public string DefaultWorkerName => "w3wp";

        public async Task<string?> CheckAccessAsync(string? instance, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendAsync(EnvironmentPath, instance, null, limiter, trace, cancellationToken).ConfigureAwait(false);
            return reply.ServedInstance;
        }

        public async Task<(List<KuduProcess> Processes, string? ServedInstance)> ListProcessesAsync(string? instance, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendAsync(ProcessesPath, instance, null, limiter, trace, cancellationToken).ConfigureAwait(false);
            return (KuduTransport.ReadJson(reply, KuduJson.ParseProcessList), reply.ServedInstance);
        }

        public async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using KuduReply reply = await SendAsync(ProcessPath(id), instance, id, limiter, trace, cancellationToken).ConfigureAwait(false);
            KuduProcessDetail detail = KuduTransport.ReadJson(reply, KuduJson.ParseProcessDetail);
            detail.Instance = reply.ServedInstance;
            return detail;
        }

        public DumpFormat DumpFormat(bool zip) => FormatOf(zip);

        public int? WireMask(DumpKind kind) => MaskOf(kind);

        internal static DumpFormat FormatOf(bool zip) => zip ? Zip : Raw;

        /// <summary>The MINIDUMP_TYPE mask Kudu gets for a dump kind.</summary>
        internal static int MaskOf(DumpKind kind) => kind.RawMask ?? kind.Type switch
        {
            DumpType.Mini => 0x1,       // MiniDumpWithDataSegs
            DumpType.Full => 0x2,       // MiniDumpWithFullMemory
            DumpType.Heap => 0x41A25,   // what dotnet-dump calls "with heap"
            _ => throw new ArgumentException($"Windows Kudu has no {kind.Label} dump."),
        };

        public async Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, DumpKind kind, DumpFormat format, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            string path = ProcessPath(id) + "/dump?dumpType=" + MaskOf(kind).ToString(CultureInfo.InvariantCulture)
                + "&format=" + format.Name;
            HttpMessage message = _transport.CreateMessage(path, instance, trace, format.Accept, _dumps);
            message.BufferResponse = false;
            message.NetworkTimeout = KuduTransport.LongRequestTimeout;
            using KuduReply reply = await _transport.SendAsync(message, instance, limiter, longRequest: true, cancellationToken).ConfigureAwait(false);
            Response response = reply.Response;
            if (response.Status >= 400)
            {
                throw _errors.ErrorFor(response, reply.Uri, id, reply.ServedInstance, dump: true);
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

        private static string ProcessPath(int id) => ProcessesPath + "/" + id.ToString(CultureInfo.InvariantCulture);

        private async Task<KuduReply> SendAsync(string path, string? instance, int? processId, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            HttpMessage message = _transport.CreateMessage(path, instance, trace, "application/json", _reads);
            KuduReply reply = await _transport.SendAsync(message, instance, limiter, longRequest: false, cancellationToken).ConfigureAwait(false);
            if (reply.Response.Status >= 400)
            {
                using (reply)
                {
                    throw _errors.ErrorFor(reply.Response, reply.Uri, processId, reply.ServedInstance, dump: false);
                }
            }

            return reply;
        }
    }

    /// <summary>An open dump response: headers read, body not yet consumed; holds its request slot until disposed.</summary>
    internal sealed class KuduDumpResponse : IDisposable
    {
        private readonly IDisposable _lease;

        public KuduDumpResponse(Stream body, IDisposable lease)
        {
            Body = body;
            _lease = lease;
        }

        public Stream Body { get; }
        public long? ContentLength { get; set; }
        public string? ServerFileName { get; set; }

        /// <summary>The instance that served the dump.</summary>
        public string? Instance { get; set; }

        public void Dispose()
        {
            Body.Dispose();
            _lease.Dispose();
        }
    }
}
