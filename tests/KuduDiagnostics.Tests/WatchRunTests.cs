using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Watch;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public sealed class WatchEmulator : EmulatorFixture
    {
        public WatchEmulator()
            : base("""
                { "sites": [
                    { "name": "watched", "instanceCount": 2, "appWorkers": 2, "extraProcesses": ["dotnet"] },
                    { "name": "hot", "instances": [ { "processorCount": 4, "processes": [
                        { "id": 100, "name": "w3wp", "isScmSite": true },
                        { "id": 200, "name": "w3wp", "privateMemory": 3221225472 } ] } ] }
                ] }
                """)
        {
        }
    }

    /// <summary>The watch loop against the emulator, on a manual clock: what it costs the site, and how it ends.</summary>
    public sealed class WatchRunTests : IClassFixture<WatchEmulator>
    {
        private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
        private readonly WatchEmulator _emulator;

        public WatchRunTests(WatchEmulator emulator) => _emulator = emulator;

        private static WatchOptions Options(ManualClock clock, params string[] instances) => new WatchOptions
        {
            Triggers = new WatchTriggers { PrivateMemoryAbove = 100L << 30 },
            Interval = Second,
            Instances = instances,
            Clock = clock,
            Limiter = new RequestLimiter(8),
        };

        [Fact]
        public async Task Each_interval_costs_one_list_per_instance_and_one_detail_per_watched_process()
        {
            await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");
            using KuduSession session = await _emulator.BasicSessionAsync("watched");
            var clock = new ManualClock();
            var observer = new PassCounter();
            using var cts = new CancellationTokenSource();

            Task<WatchSummary> watch = WatchRun.RunAsync(session, Options(clock, _emulator.Instances("watched")), observer, NullTrace.Instance, cts.Token);

            // The second instance starts half an interval after the first: passes at 0, 0.5, 1, 1.5, 2, 2.5 s.
            await observer.WaitForPassesAsync(1);
            for (int i = 0; i < 5; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(0.5));
                await observer.WaitForPassesAsync(1);
            }

            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);

            JsonElement requests = (await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/stats")).GetProperty("sites").GetProperty("watched").GetProperty("requests");

            // 3 passes x 2 instances; 2 app w3wp each (dotnet is not a w3wp), and each SCM w3wp read once to know it.
            Assert.Equal(6, requests.GetProperty("list").GetInt32());
            Assert.Equal((3 * 2 * 2) + 2, requests.GetProperty("detail").GetInt32());
            Assert.Empty(observer.Firings);
        }

        [Fact]
        public async Task The_watch_ends_at_its_timeout_on_its_own_clock()
        {
            await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");
            using KuduSession session = await _emulator.BasicSessionAsync("watched");
            var clock = new ManualClock();
            var observer = new PassCounter();
            WatchOptions options = Options(clock, _emulator.Instances("watched")[0]);
            options.Timeout = TimeSpan.FromSeconds(2);

            Task<WatchSummary> watch = WatchRun.RunAsync(session, options, observer, NullTrace.Instance, CancellationToken.None);
            await observer.WaitForPassesAsync(1);
            clock.Advance(Second);
            await observer.WaitForPassesAsync(1);
            Assert.False(watch.IsCompleted);
            clock.Advance(Second);

            WatchSummary summary = await watch.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(summary.TimedOut);
            Assert.Equal(0, summary.Firings);
            Assert.Equal(2, summary.Processes);
        }

        [Fact]
        public async Task The_watch_ends_at_its_count_and_never_watches_the_scm_worker()
        {
            await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");
            using KuduSession session = await _emulator.BasicSessionAsync("hot");
            var observer = new PassCounter();
            WatchOptions options = Options(new ManualClock());
            options.Triggers = new WatchTriggers { PrivateMemoryAbove = 1L << 30 };

            WatchSummary summary = await WatchRun.RunAsync(session, options, observer, NullTrace.Instance, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(1, summary.Firings);
            KuduWatchFiring firing = Assert.Single(observer.Firings);
            Assert.Equal(200, firing.Id);
            Assert.Same(session, firing.Session);
            Assert.Equal(3L << 30, firing.PrivateMemory);
            Assert.Equal(4, firing.ProcessorCount);
            Assert.Equal(_emulator.Instances("hot")[0], firing.Instance);
        }

        private sealed class PassCounter : IWatchObserver
        {
            private readonly SemaphoreSlim _passes = new SemaphoreSlim(0);

            public ConcurrentQueue<KuduWatchFiring> Firings { get; } = new ConcurrentQueue<KuduWatchFiring>();

            public void Fired(KuduWatchFiring firing) => Firings.Enqueue(firing);

            public void Sampled(IReadOnlyList<WatchStatus> hottestFirst) => _passes.Release();

            public async Task WaitForPassesAsync(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    Assert.True(await _passes.WaitAsync(TimeSpan.FromSeconds(30)), "a pass did not finish");
                }
            }
        }
    }
}
