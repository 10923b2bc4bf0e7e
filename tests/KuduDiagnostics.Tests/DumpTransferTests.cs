using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>The dump transfer against the emulator, where a cmdlet cannot easily reach: a stalled stream.</summary>
    public sealed class DumpTransferTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public DumpTransferTests(EmulatorFixture emulator) => _emulator = emulator;

        [Fact]
        public async Task A_stream_that_stops_sending_is_abandoned_and_leaves_nothing()
        {
            await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");
            // 100 B/s in 1 KiB chunks: one chunk, then ten seconds of silence.
            await _emulator.ControlAsync(HttpMethod.Put, "/_emulator/sites/contoso/settings", """{"dump":{"paceBytesPerSecond":100}}""");
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            string instance = _emulator.Instances("contoso")[0];
            KuduProcessDetail worker = await session.Kudu().GetProcessAsync(instance, -1, false, NullTrace.Instance, CancellationToken.None);
            string folder = Path.Combine(Path.GetTempPath(), "kudu-stall-" + Guid.NewGuid().ToString("n"));
            try
            {
                var request = new DumpRequest { Target = KuduTarget.Of(session, instance, worker.Id, worker.Name), Kind = DumpKind.From(DumpType.Mini, null) };
                var options = new DumpTransferOptions { StallTimeout = TimeSpan.FromSeconds(1), ProgressInterval = TimeSpan.FromMilliseconds(100) };

                var ex = await Assert.ThrowsAsync<KuduException>(() =>
                    DumpTransfer.RunAsync(request, new FileDumpSink(folder, force: false), _ => { }, NullTrace.Instance, options, CancellationToken.None));

                Assert.Equal(KuduErrorKind.DumpStalled, ex.Kind);
                Assert.Contains("No byte of the dump arrived for 1 s", ex.Message);
                Assert.Empty(Directory.GetFiles(folder, "*", SearchOption.AllDirectories));
            }
            finally
            {
                await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }
}
