using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace KuduDiagnostics.Watch
{
    /// <summary>One process's raw figures from one sample, as the sampler read them.</summary>
    internal sealed class WatchSample
    {
        public KuduSession? Session { get; set; }
        public string? Instance { get; set; }
        public int Id { get; set; }
        public string Name { get; set; } = string.Empty;

        /// <summary>Tells a new process from an old one that had the same pid.</summary>
        public DateTime? StartTime { get; set; }

        /// <summary>The tick of the pass that took the sample, on the watch's schedule (UTC); used when Kudu stamps no time.</summary>
        public DateTime At { get; set; }

        /// <summary>When Kudu read the figures, on the instance's clock (its time_stamp): what -For, -Cooldown and CPU percent count with.</summary>
        public DateTime? ServerTime { get; set; }

        public TimeSpan? TotalCpuTime { get; set; }
        public int? ProcessorCount { get; set; }
        public long? PrivateMemory { get; set; }
        public long? WorkingSet { get; set; }
        public int? ThreadCount { get; set; }
        public int? HandleCount { get; set; }
    }

    /// <summary>The latest view of one watched process, for progress.</summary>
    internal sealed class WatchStatus
    {
        public WatchSample Sample { get; set; } = null!;
        public WatchReading Reading { get; set; } = null!;

        /// <summary>See <see cref="WatchTriggers.Heat"/>: above 1 when every trigger holds.</summary>
        public double Heat { get; set; }

        /// <summary>When the current run of holding samples began; null when the triggers do not hold.</summary>
        public DateTime? HoldingSince { get; set; }
    }

    /// <summary>
    /// Trigger evaluation as a function of samples over time: CPU percent from consecutive samples, -For across
    /// consecutive holding samples, -Cooldown per process, -Count over the whole watch. No clock, no HTTP: times
    /// come with the samples. Safe to feed from several instances' loops at once.
    /// </summary>
    internal sealed class WatchTracker
    {
        private readonly object _gate = new object();
        private readonly Dictionary<(string Instance, int Id), ProcessState> _processes = new Dictionary<(string, int), ProcessState>();
        private readonly WatchTriggers _triggers;
        private readonly TimeSpan _for;
        private readonly TimeSpan _cooldown;
        private readonly TimeSpan _slack;
        private readonly int _count;
        private readonly string _description;
        private int _fired;

        /// <param name="triggers">The thresholds a sample must cross.</param>
        /// <param name="holdFor">How long a process must hold every trigger before it fires (-For).</param>
        /// <param name="cooldown">How long a process that fired waits before it can fire again.</param>
        /// <param name="count">How many firings end the watch.</param>
        /// <param name="slack">
        /// How much network jitter -For and -Cooldown forgive. Samples are timed by the instance's own clock when it
        /// stamps them, and one answer a few milliseconds quicker than the last must not cost a whole interval.
        /// </param>
        public WatchTracker(WatchTriggers triggers, TimeSpan holdFor, TimeSpan cooldown, int count, TimeSpan slack = default)
        {
            _slack = slack;
            _triggers = triggers;
            _for = holdFor;
            _cooldown = cooldown;
            _count = count;
            _description = triggers.Describe(holdFor);
        }

        public int Fired => Volatile.Read(ref _fired);

        /// <summary>True once -Count firings have happened; later samples fire nothing.</summary>
        public bool Done => Fired >= _count;

        /// <summary>Every process seen so far (exited ones included).</summary>
        public int Seen { get; private set; }

        /// <summary>Takes one sample; returns the firing it causes, if any.</summary>
        public KuduWatchFiring? Observe(WatchSample sample)
        {
            lock (_gate)
            {
                var key = (sample.Instance ?? string.Empty, sample.Id);
                if (!_processes.TryGetValue(key, out ProcessState? state) || state.Last.StartTime != sample.StartTime)
                {
                    // New, or the pid now names another process: nothing carries over.
                    state = new ProcessState(sample);
                    _processes[key] = state;
                    Seen++;
                }
                else
                {
                    if (state.Last.ServerTime.HasValue != sample.ServerTime.HasValue)
                    {
                        // The instance's stamps stopped (or started) counting: carry the times kept so far over to
                        // the other clock, as offsets from the last sample, so -For and -Cooldown never mix two clocks.
                        state.Since = Rebase(state.Since, state.Last, sample);
                        state.LastFired = Rebase(state.LastFired, state.Last, sample);
                    }

                    state.Reading = Read(state.Last, sample);
                    state.Last = sample;
                }

                if (!_triggers.Holds(state.Reading))
                {
                    state.Since = null;
                    return null;
                }

                DateTime at = TimeOf(sample);
                state.Since ??= at;
                if (at - state.Since.Value < _for - _slack || Done)
                {
                    return null;
                }

                if (state.LastFired is DateTime last && at - last < _cooldown - _slack)
                {
                    return null;
                }

                _fired++;
                DateTime crossed = state.Since.Value;
                state.LastFired = at;
                state.Since = at; // firing again needs the triggers to hold for -For once more
                WatchReading r = state.Reading;
                return new KuduWatchFiring
                {
                    Session = sample.Session,
                    Instance = sample.Instance,
                    Id = sample.Id,
                    Name = sample.Name,
                    Number = _fired,
                    Trigger = _description,
                    CrossedAt = crossed,
                    FiredAt = at,
                    PrivateMemory = r.PrivateMemory,
                    WorkingSet = r.WorkingSet,
                    CpuPercent = r.CpuPercent,
                    ThreadCount = r.ThreadCount,
                    HandleCount = r.HandleCount,
                    ProcessorCount = sample.ProcessorCount,
                };
            }
        }

        /// <summary>Forgets the processes of an instance that its latest list no longer shows (they exited).</summary>
        public void Keep(string? instance, ICollection<int> listed)
        {
            lock (_gate)
            {
                string name = instance ?? string.Empty;
                foreach (var key in _processes.Keys.Where(k => k.Instance == name && !listed.Contains(k.Id)).ToList())
                {
                    _processes.Remove(key);
                }
            }
        }

        /// <summary>The latest view of every live process, hottest first.</summary>
        public List<WatchStatus> Snapshot()
        {
            lock (_gate)
            {
                return _processes.Values
                    .Select(s => new WatchStatus { Sample = s.Last, Reading = s.Reading, Heat = _triggers.Heat(s.Reading), HoldingSince = s.Since })
                    .OrderByDescending(s => s.Heat)
                    .ThenBy(s => s.Sample.Instance, StringComparer.OrdinalIgnoreCase)
                    .ThenBy(s => s.Sample.Id)
                    .ToList();
            }
        }

        private static DateTime? Rebase(DateTime? time, WatchSample last, WatchSample now) =>
            time is DateTime t ? (now.ServerTime.HasValue ? now.ServerTime.Value - (now.At - last.At) : last.At) + (t - TimeOf(last)) : (DateTime?)null;

        /// <summary>When the figures were read: the instance's time stamp when it gives one, else the watch's schedule.</summary>
        private static DateTime TimeOf(WatchSample sample) => sample.ServerTime ?? sample.At;

        private static WatchReading Read(WatchSample? before, WatchSample now)
        {
            TimeSpan wall = before == null ? TimeSpan.Zero
                : before.ServerTime is DateTime b && now.ServerTime is DateTime a ? a - b
                : now.At - before.At;
            return new WatchReading
            {
                PrivateMemory = now.PrivateMemory,
                WorkingSet = now.WorkingSet,
                CpuPercent = before == null ? null : CpuPercent.Between(before.TotalCpuTime, now.TotalCpuTime, wall, now.ProcessorCount ?? before.ProcessorCount),
                ThreadCount = now.ThreadCount,
                HandleCount = now.HandleCount,
            };
        }

        private sealed class ProcessState
        {
            public ProcessState(WatchSample first)
            {
                Last = first;
                Reading = Read(null, first);
            }

            public WatchSample Last { get; set; }
            public WatchReading Reading { get; set; }
            public DateTime? Since { get; set; }
            public DateTime? LastFired { get; set; }
        }
    }
}
