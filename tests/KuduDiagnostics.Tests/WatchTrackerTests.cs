using System;
using System.Collections.Generic;
using System.Linq;
using KuduDiagnostics.Watch;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>Trigger evaluation over time (Watch/WatchTracker.cs): samples with times from a manual clock, no HTTP.</summary>
    public class WatchTrackerTests
    {
        private const long GB = 1L << 30;
        private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
        private static readonly DateTime Start = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);

        private readonly ManualClock _clock = new ManualClock();

        private static WatchTriggers Memory(double gb) => new WatchTriggers { PrivateMemoryAbove = (long)(gb * GB) };

        private WatchSample Sample(long? privateMemory = null, int id = 4100, string instance = "a1", double cpuSeconds = 0, int? processors = 4, DateTime? started = null, DateTime? serverTime = null) => new WatchSample
        {
            Instance = instance,
            Id = id,
            Name = "w3wp",
            StartTime = started ?? Start.AddHours(-1),
            At = _clock.UtcNow,
            ServerTime = serverTime,
            PrivateMemory = privateMemory,
            TotalCpuTime = TimeSpan.FromSeconds(cpuSeconds),
            ProcessorCount = processors,
        };

        /// <summary>Feeds one sample per second from a script of values; returns the firings with the second they came at.</summary>
        private List<(int Second, KuduWatchFiring Firing)> Run(WatchTracker tracker, params long?[] privateMemoryEachSecond)
        {
            var firings = new List<(int, KuduWatchFiring)>();
            for (int s = 0; s < privateMemoryEachSecond.Length; s++)
            {
                if (tracker.Observe(Sample(privateMemoryEachSecond[s])) is KuduWatchFiring f)
                {
                    firings.Add((s, f));
                }

                _clock.Advance(Second);
            }

            return firings;
        }

        [Fact]
        public void A_sustained_rise_fires_once_when_it_has_held_for_the_whole_For_and_not_before()
        {
            var tracker = new WatchTracker(Memory(1.5), TimeSpan.FromSeconds(3), TimeSpan.Zero, count: 1);
            var firings = Run(tracker, GB, GB, GB, 2 * GB, 2 * GB, 2 * GB, 2 * GB, 2 * GB, 2 * GB, 2 * GB);

            var (second, firing) = Assert.Single(firings);
            Assert.Equal(6, second); // crossed at 3, held through 4 and 5, 3 s later at 6
            Assert.Equal(Start.AddSeconds(3), firing.CrossedAt);
            Assert.Equal(TimeSpan.FromSeconds(3), firing.FiredAt - firing.CrossedAt);
            Assert.Equal(2 * GB, firing.PrivateMemory);
            Assert.Equal(1, firing.Number);
            Assert.Equal("PrivateMemory > 1.5 GB for 00:00:03", firing.Trigger);
            Assert.True(tracker.Done);
        }

        [Fact]
        public void A_spike_shorter_than_For_never_fires_but_fires_without_For()
        {
            long?[] spike = { GB, GB, 2 * GB, 2 * GB, GB, GB, GB, 2 * GB, GB, GB };
            Assert.Empty(Run(new WatchTracker(Memory(1.5), TimeSpan.FromSeconds(2), TimeSpan.Zero, 5), spike));
            Assert.Equal(new[] { 2, 3, 7 }, Run(new WatchTracker(Memory(1.5), TimeSpan.Zero, TimeSpan.Zero, 5), spike).Select(f => f.Second));
        }

        [Fact]
        public void Every_trigger_given_must_hold_at_once_and_an_unreadable_value_never_holds()
        {
            var both = new WatchTriggers { PrivateMemoryAbove = GB, ThreadCountAbove = 100 };
            var tracker = new WatchTracker(both, TimeSpan.Zero, TimeSpan.Zero, 1);
            WatchSample memoryOnly = Sample(2 * GB);
            memoryOnly.ThreadCount = 50;
            Assert.Null(tracker.Observe(memoryOnly));

            _clock.Advance(Second);
            WatchSample unreadable = Sample(null);
            unreadable.ThreadCount = 500;
            Assert.Null(tracker.Observe(unreadable));

            _clock.Advance(Second);
            WatchSample hot = Sample(2 * GB);
            hot.ThreadCount = 500;
            KuduWatchFiring firing = Assert.IsType<KuduWatchFiring>(tracker.Observe(hot));
            Assert.Equal(500, firing.ThreadCount);
            Assert.Equal("PrivateMemory > 1 GB and ThreadCount > 100", firing.Trigger);
        }

        [Fact]
        public void Cpu_percent_is_the_cpu_time_delta_over_processors_times_the_wall_clock_delta()
        {
            var tracker = new WatchTracker(new WatchTriggers { CpuAbove = 80 }, TimeSpan.Zero, TimeSpan.Zero, 1);

            // The first sample has nothing to compare with: no CPU percent, so a CPU trigger cannot hold yet.
            Assert.Null(tracker.Observe(Sample(cpuSeconds: 100)));
            Assert.Null(tracker.Snapshot().Single().Reading.CpuPercent);

            _clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Null(tracker.Observe(Sample(cpuSeconds: 106))); // 6 s of CPU in 2 s on 4 cores: 75 %
            Assert.Equal(75.0, tracker.Snapshot().Single().Reading.CpuPercent!.Value, 6);

            _clock.Advance(TimeSpan.FromSeconds(2));
            KuduWatchFiring firing = Assert.IsType<KuduWatchFiring>(tracker.Observe(Sample(cpuSeconds: 113.2))); // 90 %
            Assert.Equal(90.0, firing.CpuPercent!.Value, 6);
            Assert.Equal(4, firing.ProcessorCount);
        }

        [Fact]
        public void Cpu_percent_prefers_the_instances_own_time_stamps_and_is_unknown_without_a_processor_count()
        {
            var tracker = new WatchTracker(new WatchTriggers { CpuAbove = 50 }, TimeSpan.Zero, TimeSpan.Zero, 1);
            tracker.Observe(Sample(cpuSeconds: 10, serverTime: Start));

            // The watch's clock saw 1.5 s (a slow answer); Kudu read the figures 1 s apart: 2 s of CPU on 4 cores is 50 %.
            _clock.Advance(TimeSpan.FromSeconds(1.5));
            tracker.Observe(Sample(cpuSeconds: 12, serverTime: Start.AddSeconds(1)));
            Assert.Equal(50.0, tracker.Snapshot().Single().Reading.CpuPercent!.Value, 6);

            var blind = new WatchTracker(new WatchTriggers { CpuAbove = 1 }, TimeSpan.Zero, TimeSpan.Zero, 1);
            blind.Observe(Sample(cpuSeconds: 10, processors: null));
            _clock.Advance(Second);
            Assert.Null(blind.Observe(Sample(cpuSeconds: 14, processors: null)));
            Assert.Null(blind.Snapshot().Single().Reading.CpuPercent);
        }

        [Fact]
        public void For_is_timed_by_the_instances_stamps_and_forgives_only_the_slack()
        {
            // The watch's ticks are a second apart, but Kudu stamped the last reading 30 ms early (a quicker answer).
            double[] stamps = { 0, 1.01, 2.0, 2.97 };
            foreach ((TimeSpan slack, bool fires) in new[] { (TimeSpan.FromMilliseconds(50), true), (TimeSpan.FromMilliseconds(20), false) })
            {
                var tracker = new WatchTracker(Memory(1), TimeSpan.FromSeconds(3), TimeSpan.Zero, 1, slack);
                KuduWatchFiring? firing = null;
                foreach (double s in stamps)
                {
                    firing = tracker.Observe(Sample(2 * GB, serverTime: Start.AddSeconds(100 + s)));
                    _clock.Advance(Second);
                }

                Assert.Equal(fires, firing != null);
                if (firing != null)
                {
                    Assert.Equal(Start.AddSeconds(100), firing.CrossedAt);
                    Assert.Equal(Start.AddSeconds(102.97), firing.FiredAt);
                }
            }
        }

        [Fact]
        public void Cooldown_keeps_a_process_that_fired_from_firing_again_until_it_has_passed()
        {
            long?[] sustained = Enumerable.Repeat<long?>(2 * GB, 12).ToArray();
            var cooled = Run(new WatchTracker(Memory(1), TimeSpan.Zero, TimeSpan.FromSeconds(5), count: 3), sustained);
            Assert.Equal(new[] { 0, 5, 10 }, cooled.Select(f => f.Second));

            // Without a cooldown, firing again needs the triggers to hold for -For once more.
            var rearmed = Run(new WatchTracker(Memory(1), TimeSpan.FromSeconds(2), TimeSpan.Zero, count: 3), sustained);
            Assert.Equal(new[] { 2, 4, 6 }, rearmed.Select(f => f.Second));
            Assert.Equal(new[] { 1, 2, 3 }, rearmed.Select(f => f.Firing.Number));
        }

        [Fact]
        public void Count_is_for_the_whole_watch_even_when_two_processes_are_hot_at_once()
        {
            var tracker = new WatchTracker(Memory(1), TimeSpan.Zero, TimeSpan.Zero, count: 1);
            Assert.NotNull(tracker.Observe(Sample(2 * GB, id: 1, instance: "a1")));
            Assert.Null(tracker.Observe(Sample(2 * GB, id: 2, instance: "b2")));
            Assert.Equal(1, tracker.Fired);
        }

        [Fact]
        public void A_recycled_or_exited_process_starts_from_nothing()
        {
            var tracker = new WatchTracker(Memory(1), TimeSpan.FromSeconds(2), TimeSpan.Zero, count: 1);
            tracker.Observe(Sample(2 * GB));
            _clock.Advance(Second);
            tracker.Observe(Sample(2 * GB));
            _clock.Advance(Second);

            // Same pid, another start time: a new process, whose run has only just begun.
            Assert.Null(tracker.Observe(Sample(2 * GB, started: Start)));
            Assert.Equal(_clock.UtcNow, tracker.Snapshot().Single().HoldingSince);

            // Gone from its instance's list: forgotten.
            tracker.Keep("a1", new HashSet<int>());
            Assert.Empty(tracker.Snapshot());
            Assert.Equal(2, tracker.Seen);
        }

        [Fact]
        public void The_snapshot_puts_the_process_closest_to_firing_first()
        {
            var tracker = new WatchTracker(new WatchTriggers { PrivateMemoryAbove = GB, CpuAbove = 50 }, TimeSpan.Zero, TimeSpan.Zero, 1);
            tracker.Observe(Sample(3 * GB, id: 1, cpuSeconds: 0));
            tracker.Observe(Sample(GB / 2, id: 2, cpuSeconds: 0));
            tracker.Observe(Sample(GB / 4, id: 3, cpuSeconds: 0));
            _clock.Advance(Second);
            tracker.Observe(Sample(3 * GB, id: 1, cpuSeconds: 0.4));   // memory far over, CPU 10 %: heat 0.2
            tracker.Observe(Sample(GB / 2, id: 2, cpuSeconds: 1.6));  // memory 0.5, CPU 40 %: heat 0.5
            tracker.Observe(Sample(GB / 4, id: 3, cpuSeconds: 4));    // memory 0.25, CPU 100 %: heat 0.25

            Assert.Equal(new[] { 2, 3, 1 }, tracker.Snapshot().Select(s => s.Sample.Id));
            Assert.Equal(0.5, tracker.Snapshot()[0].Heat, 6);
        }

        [Theory]
        [InlineData("4", 4)]
        [InlineData("16", 16)]
        [InlineData("0", null)]
        [InlineData("four", null)]
        [InlineData("-2", null)]
        public void The_processor_count_comes_from_NUMBER_OF_PROCESSORS_only(string value, int? expected)
        {
            var environment = new Dictionary<string, string> { ["number_of_processors"] = value, ["APPSETTING_Secret"] = "7" };
            Assert.Equal(expected, CpuPercent.ProcessorCount(environment));
            Assert.Null(CpuPercent.ProcessorCount(new Dictionary<string, string> { ["APPSETTING_Secret"] = "7" }));
        }

        [Fact]
        public void Cpu_time_going_backwards_or_no_time_passing_gives_no_percent()
        {
            Assert.Null(CpuPercent.Between(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), Second, 2));
            Assert.Null(CpuPercent.Between(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11), TimeSpan.Zero, 2));
            Assert.Equal(50.0, CpuPercent.Between(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11), Second, 2)!.Value, 6);
        }

        [Fact]
        public void Options_that_cannot_run_are_refused_with_the_reason()
        {
            Assert.Equal(AdviceKey.WatchTrigger, new WatchOptions().Problem()!.Advice!.Key);
            var options = new WatchOptions { Triggers = Memory(1), Interval = TimeSpan.FromMilliseconds(500) };
            KuduArgumentException tooOften = options.Problem()!;
            Assert.Equal("The interval is under 1 second: each sample asks Kudu for every watched process's details.", tooOften.Fact);
            Assert.Equal("WatchInterval(1)", tooOften.Advice!.ToString());
            options.Interval = Second;
            Assert.Null(options.Problem());
            Assert.Equal("1.5 GB", WatchTriggers.Bytes(1610612736));
        }
    }
}
