using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public sealed class ThreeInstanceEmulator : EmulatorFixture
    {
        public ThreeInstanceEmulator()
            : base("""
                { "sites": [ { "name": "contoso", "instanceCount": 3, "appWorkers": 2, "extraProcesses": ["dotnet"],
                               "bearerTokens": [ { "token": "xunit-three-token", "audience": "https://appservice.azure.com" } ],
                               "dump": { "sizes": { "default": 65536 }, "writeDelayMs": 50 } } ] }
                """)
        {
        }
    }

    /// <summary>The Invoke-FunctionAppDump flow without PowerShell: list, detail, skip the SCM worker, dump.</summary>
    public sealed class AppDumpRunTests : IClassFixture<ThreeInstanceEmulator>
    {
        private readonly ThreeInstanceEmulator _emulator;

        public AppDumpRunTests(ThreeInstanceEmulator emulator) => _emulator = emulator;

        [Fact]
        public async Task Dumps_every_app_worker_of_the_instances_given_and_skips_the_scm_site()
        {
            await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            string folder = Path.Combine(Path.GetTempPath(), "kudu-apprun-" + Guid.NewGuid().ToString("n"));
            var observer = new RecordingObserver();
            try
            {
                // A Basic session cannot list instances from Resource Manager; it names them.
                var options = new AppDumpOptions { Kind = DumpKind.From(DumpType.Mini, null), Instances = _emulator.Instances("contoso") };
                AppDumpSummary summary = await AppDumpRun.RunAsync(session, new FileDumpSink(folder, force: false), options, observer, NullTrace.Instance, CancellationToken.None);

                Assert.Equal(9, summary.Candidates);
                Assert.Equal(6, summary.Dumped);
                Assert.Equal(3, summary.Skipped);
                Assert.Equal(6, observer.Dumps.Count);
                Assert.Equal(3, observer.Skips.Count);
                Assert.All(observer.Skips, s => Assert.True(s.IsScmSite));
                Assert.All(observer.Dumps, d => Assert.True(File.Exists(d.Path)));
                Assert.Empty(observer.Failures);
                var stats = await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/stats");
                Assert.Equal(1, stats.GetProperty("sites").GetProperty("contoso").GetProperty("maxConcurrentDumps").GetInt32());
            }
            finally
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }

        [Fact]
        public async Task AllInstances_needs_resource_manager_and_says_so()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            var options = new AppDumpOptions { Kind = DumpKind.From(DumpType.Mini, null), AllInstances = true };

            var ex = await Assert.ThrowsAsync<KuduException>(() =>
                AppDumpRun.RunAsync(session, new FileDumpSink(Path.GetTempPath(), false), options, new RecordingObserver(), NullTrace.Instance, CancellationToken.None));
            Assert.Equal(KuduErrorKind.InstancesUnavailable, ex.Kind);
        }

        private sealed class RecordingObserver : IAppDumpObserver
        {
            public ConcurrentBag<KuduDumpResult> Dumps { get; } = new ConcurrentBag<KuduDumpResult>();
            public ConcurrentBag<KuduProcessDetail> Skips { get; } = new ConcurrentBag<KuduProcessDetail>();
            public ConcurrentBag<Exception> Failures { get; } = new ConcurrentBag<Exception>();

            public bool ShouldDump(KuduProcessDetail process) => true;

            public void Dumped(KuduDumpResult result) => Dumps.Add(result);

            public void Skipped(KuduProcessDetail process, string reason, KuduAdvice advice) => Skips.Add(process);

            public void Failed(object target, Exception error) => Failures.Add(error);

            public void Progress(DumpProgress progress)
            {
            }
        }
    }
}
