using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace Net8Host
{
    // Every call of the host into KuduDiagnostics.Core's internal API is in this file, so a change of that API is
    // adapted here alone. The rest of the host sees only the small records below. The first call into this file
    // makes the runtime resolve KuduDiagnostics.Core, which the module's AssemblyResolve handler answers from
    // dependencies/ in its private load context: the same path the cmdlets take in pwsh.

    internal sealed record ProcessRow(string Name, int Id, string? Instance, bool IsScmSite);

    internal sealed record DumpRow(long Length, string? Path, string? BlobName, bool SignatureValid, int Mask);

    internal sealed record AnalysisRow(string RuntimeVersion, bool HeapInDump, long MarkerCount, string BiggestType, int Threads, string JsonPath);

    internal sealed class CoreDriver : IDisposable
    {
        private readonly KuduSession _session;

        private CoreDriver(KuduSession session) => _session = session;

        /// <summary>The core assembly as the runtime bound it (forces the bind).</summary>
        public static Assembly CoreAssembly => typeof(KuduSessionFactory).Assembly;

        public string SiteName => _session.SiteName;

        /// <summary>A session with publishing credentials, as New-KuduSession -ScmUri -Credential builds it.</summary>
        public static async Task<CoreDriver> ConnectBasicAsync(string scmUrl, string siteName, string userName, string password, CancellationToken ct)
        {
            var options = new KuduSessionOptions
            {
                ScmUri = scmUrl,
                SiteName = siteName,
                Credential = new NetworkCredential(userName, password),
            };
            return new CoreDriver(await KuduSessionFactory.CreateAsync(options, NullTrace.Instance, ct));
        }

        /// <summary>
        /// New-KuduSession -ResourceId -UseAzureIdentity -ResourceManagerUrl: Azure.Identity's credential (the
        /// managed identity through IDENTITY_ENDPOINT/IDENTITY_HEADER) and a Resource Manager lookup of the site.
        /// </summary>
        public static async Task<CoreDriver> ConnectAzureIdentityAsync(string resourceId, Uri resourceManagerUrl, CancellationToken ct)
        {
            var options = new KuduSessionOptions
            {
                ResourceId = resourceId,
                UseAzureIdentity = true,
                ResourceManagerUrl = resourceManagerUrl,
            };
            return new CoreDriver(await KuduSessionFactory.CreateAsync(options, NullTrace.Instance, ct));
        }

        /// <summary>Get-KuduInstance: the instances Resource Manager reports.</summary>
        public async Task<List<string>> InstancesAsync(CancellationToken ct) =>
            (await _session.ListInstancesAsync(NullTrace.Instance, ct)).Select(i => i.Instance).ToList();

        /// <summary>Get-KuduProcess -Instance.</summary>
        public async Task<List<ProcessRow>> ProcessesAsync(string? instance, CancellationToken ct) =>
            (await _session.Kudu().ListProcessesAsync(instance, NullTrace.Instance, ct))
                .Select(p => new ProcessRow(p.Name, p.Id, p.Instance, false)).ToList();

        /// <summary>Get-KuduProcessDetail.</summary>
        public async Task<ProcessRow> DetailAsync(string? instance, int id, CancellationToken ct)
        {
            KuduProcessDetail d = await _session.Kudu().GetProcessAsync(instance, id, includeEnvironment: false, NullTrace.Instance, ct);
            return new ProcessRow(d.Name, d.Id, d.Instance, d.IsScmSite);
        }

        /// <summary>Save-KuduProcessDump -Path (a mini dump).</summary>
        public Task<DumpRow> DumpToFolderAsync(string? instance, int id, string folder, CancellationToken ct) =>
            DumpAsync(instance, id, new FileDumpSink(folder, force: false), ct);

        /// <summary>Save-KuduProcessDump -BlobContainerUri with a SAS (a mini dump), through Azure.Storage.Blobs.</summary>
        public Task<DumpRow> DumpToBlobAsync(string? instance, int id, Uri containerUriWithSas, CancellationToken ct) =>
            DumpAsync(instance, id, BlobDumpSink.CreateForSession(new BlobDestination { ContainerUri = containerUriWithSas }, _session), ct);

        public void Dispose() => _session.Dispose();

        /// <summary>Invoke-FunctionAppDump -Analyze's step for one saved dump: ClrMD in the private context, .analysis.json beside it.</summary>
        public static AnalysisRow AnalyzeBeside(string dump, string markerType)
        {
            KuduDumpAnalysis a = KuduDiagnostics.Analysis.AnalysisFile.AnalyzeBeside(dump, null, new KuduDiagnostics.Analysis.DumpAnalysisOptions { Top = 100000 }, NullTrace.Instance, CancellationToken.None);
            long marker = a.TopTypes.Where(t => t.Type == markerType).Sum(t => t.Count);
            return new AnalysisRow(a.RuntimeVersion, a.HeapInDump, marker, a.TopTypes.FirstOrDefault()?.Type ?? string.Empty, a.Threads.Length, KuduDiagnostics.Analysis.AnalysisFile.PathFor(dump));
        }

        private async Task<DumpRow> DumpAsync(string? instance, int id, IDumpSink sink, CancellationToken ct)
        {
            var request = new DumpRequest { Target = KuduTarget.Of(_session, instance, id), Kind = DumpKind.From(DumpType.Mini, null) };
            KuduDumpResult r = await DumpTransfer.RunAsync(request, sink, _ => { }, NullTrace.Instance, new DumpTransferOptions(), ct);
            return new DumpRow(r.Length, r.Path, r.BlobName, r.SignatureValid, r.DumpTypeMask);
        }
    }
}
