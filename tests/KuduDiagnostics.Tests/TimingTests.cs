using System;
using System.Collections.Generic;
using KuduDiagnostics.Timing;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>A clock that moves only when told to; its tickers fire as the time passes them.</summary>
    internal sealed class ManualClock : IClock
    {
        private readonly List<ManualTicker> _tickers = new List<ManualTicker>();

        public DateTime UtcNow { get; private set; } = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);

        public TimeSpan Now { get; private set; }

        public ITicker Every(TimeSpan interval, Action tick)
        {
            ManualTicker ticker;
            lock (_tickers)
            {
                ticker = new ManualTicker(interval, tick, Now);
                _tickers.Add(ticker);
            }

            tick();
            return ticker;
        }

        public void Advance(TimeSpan by)
        {
            TimeSpan start = Now;
            TimeSpan end = start + by;

            // A copy: code under test may start tickers from other threads while time moves (the watch's loops do).
            ManualTicker[] tickers;
            lock (_tickers)
            {
                tickers = _tickers.ToArray();
            }

            foreach (ManualTicker t in tickers)
            {
                while (!t.Stopped && t.Next <= end)
                {
                    Now = t.Next;
                    t.Next += t.Interval;
                    t.Tick();
                }
            }

            UtcNow += end - start; // all of it, also when a tick fell on the way
            Now = end;
        }

        private sealed class ManualTicker : ITicker
        {
            public ManualTicker(TimeSpan interval, Action tick, TimeSpan now)
            {
                Interval = interval;
                Tick = tick;
                Next = now + interval;
            }

            public TimeSpan Interval { get; }
            public Action Tick { get; }
            public TimeSpan Next { get; set; }
            public bool Stopped { get; private set; }

            public void Stop() => Stopped = true;

            public void Dispose() => Stop();
        }
    }

    public class TimingTests
    {
        [Fact]
        public void A_transfer_that_moves_never_stalls_and_one_that_stops_stalls_after_the_timeout()
        {
            var clock = new ManualClock();
            var watch = new StallWatch(TimeSpan.FromSeconds(10), clock.Now);
            long bytes = 0;
            var verdicts = new List<bool>();
            using ITicker ticker = clock.Every(TimeSpan.FromSeconds(1), () => verdicts.Add(watch.IsStalled(bytes, clock.Now)));

            for (int i = 0; i < 30; i++)
            {
                bytes += 1000;
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            Assert.DoesNotContain(true, verdicts);

            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.False(verdicts[verdicts.Count - 1], "exactly the timeout is not yet a stall");
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(verdicts[verdicts.Count - 1]);

            bytes += 1;
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.False(verdicts[verdicts.Count - 1], "one byte more resets the watch");
        }

        [Fact]
        public void A_stopped_ticker_calls_back_no_more()
        {
            var clock = new ManualClock();
            int ticks = 0;
            ITicker ticker = clock.Every(TimeSpan.FromMilliseconds(500), () => ticks++);
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(5, ticks);
            ticker.Stop();
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(5, ticks);
        }

        [Fact]
        public void The_system_clock_is_monotonic_and_its_ticker_stops_for_good()
        {
            TimeSpan a = SystemClock.Instance.Now;
            TimeSpan b = SystemClock.Instance.Now;
            Assert.True(b >= a);
            int ticks = 0;
            ITicker ticker = SystemClock.Instance.Every(TimeSpan.FromMilliseconds(1), () => System.Threading.Interlocked.Increment(ref ticks));
            ticker.Stop();
            int after = ticks;
            System.Threading.Thread.Sleep(20);
            Assert.Equal(after, ticks);
        }
    }
}
