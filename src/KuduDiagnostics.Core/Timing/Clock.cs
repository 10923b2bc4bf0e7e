using System;
using System.Diagnostics;
using System.Threading;

namespace KuduDiagnostics.Timing
{
    /// <summary>Time as the core reads it, so timed logic (progress, the stall watchdog) is tested without sleeping.</summary>
    internal interface IClock
    {
        DateTime UtcNow { get; }

        /// <summary>A monotonic reading; only differences between two readings mean anything.</summary>
        TimeSpan Now { get; }

        /// <summary>Calls <paramref name="tick"/> now and then every <paramref name="interval"/> until the ticker is stopped.</summary>
        ITicker Every(TimeSpan interval, Action tick);
    }

    /// <summary>A periodic callback; once <see cref="Stop"/> returns, no callback runs or will run.</summary>
    internal interface ITicker : IDisposable
    {
        void Stop();
    }

    internal sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();

        public DateTime UtcNow => DateTime.UtcNow;

        public TimeSpan Now => TimeSpan.FromTicks((long)(Stopwatch.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));

        public ITicker Every(TimeSpan interval, Action tick) => new TimerTicker(interval, tick);

        private sealed class TimerTicker : ITicker
        {
            private readonly object _lock = new object();
            private readonly Action _tick;
            private readonly Timer _timer;
            private bool _stopped;

            public TimerTicker(TimeSpan interval, Action tick)
            {
                _tick = tick;
                _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, interval);
            }

            public void Stop()
            {
                lock (_lock)
                {
                    _stopped = true;
                }

                _timer.Dispose();
            }

            public void Dispose() => Stop();

            private void Tick()
            {
                lock (_lock)
                {
                    if (!_stopped)
                    {
                        _tick();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Says when a transfer has stalled: neither the server sent nor the destination stored a byte for longer than
    /// the timeout. Fed a progress mark (any number that grows with progress) and the clock's reading.
    /// </summary>
    internal sealed class StallWatch
    {
        private readonly TimeSpan _timeout;
        private long _mark = -1;
        private TimeSpan _since;

        public StallWatch(TimeSpan timeout, TimeSpan now)
        {
            _timeout = timeout;
            _since = now;
        }

        public bool IsStalled(long mark, TimeSpan now)
        {
            if (mark != _mark)
            {
                _mark = mark;
                _since = now;
                return false;
            }

            return now - _since > _timeout;
        }
    }
}
