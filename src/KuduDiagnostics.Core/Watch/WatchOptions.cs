using System;
using System.Collections.Generic;
using System.Globalization;
using KuduDiagnostics.Http;
using KuduDiagnostics.Timing;

namespace KuduDiagnostics.Watch
{
    /// <summary>What one sample of one process measured; null where Kudu could not read a value.</summary>
    internal sealed class WatchReading
    {
        public long? PrivateMemory { get; set; }
        public long? WorkingSet { get; set; }
        public double? CpuPercent { get; set; }
        public int? ThreadCount { get; set; }
        public int? HandleCount { get; set; }
    }

    /// <summary>The thresholds of a watch. Every one given must be exceeded at once (AND); null ones are not looked at.</summary>
    internal sealed class WatchTriggers
    {
        public long? PrivateMemoryAbove { get; set; }
        public long? WorkingSetAbove { get; set; }
        public double? CpuAbove { get; set; }
        public int? ThreadCountAbove { get; set; }
        public int? HandleCountAbove { get; set; }

        public bool Any => PrivateMemoryAbove != null || WorkingSetAbove != null || CpuAbove != null || ThreadCountAbove != null || HandleCountAbove != null;

        /// <summary>True when every threshold given is exceeded; a value Kudu could not read never exceeds.</summary>
        public bool Holds(WatchReading r) => Each(r, (value, line) => value > line);

        /// <summary>
        /// How close a process is to firing: the smallest value/threshold ratio among the triggers (all must hold,
        /// so the furthest one decides). Above 1 when every trigger holds; 0 when a value is unknown.
        /// </summary>
        public double Heat(WatchReading r)
        {
            double heat = double.MaxValue;
            bool any = false;
            Each(r, (value, line) =>
            {
                any = true;
                double ratio = value == null ? 0 : line <= 0 ? (value > line ? 2 : 0) : value.Value / line;
                heat = Math.Min(heat, ratio);
                return true;
            });
            return any ? heat : 0;
        }

        /// <summary>"PrivateMemory > 1.5 GB and CpuPercent > 90 % for 00:01:00".</summary>
        public string Describe(TimeSpan holdFor)
        {
            var parts = new List<string>();
            if (PrivateMemoryAbove is long pm) parts.Add("PrivateMemory > " + Bytes(pm));
            if (WorkingSetAbove is long ws) parts.Add("WorkingSet > " + Bytes(ws));
            if (CpuAbove is double cpu) parts.Add("CpuPercent > " + cpu.ToString("0.#", CultureInfo.InvariantCulture) + " %");
            if (ThreadCountAbove is int threads) parts.Add("ThreadCount > " + threads.ToString(CultureInfo.InvariantCulture));
            if (HandleCountAbove is int handles) parts.Add("HandleCount > " + handles.ToString(CultureInfo.InvariantCulture));
            string what = string.Join(" and ", parts);
            return holdFor > TimeSpan.Zero ? $"{what} for {holdFor:c}" : what;
        }

        /// <summary>1.5 GB, 800 MB, 512 KB: binary units, as PowerShell's 1.5GB literal means.</summary>
        public static string Bytes(long bytes)
        {
            string[] units = { "B", "KB", "MB", "GB", "TB" };
            double value = bytes;
            int unit = 0;
            while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }

            return value.ToString(unit == 0 ? "0" : "0.##", CultureInfo.InvariantCulture) + " " + units[unit];
        }

        private bool Each(WatchReading r, Func<double?, double, bool> test)
        {
            bool all = true;
            if (PrivateMemoryAbove is long pm) all &= test(r.PrivateMemory, pm);
            if (WorkingSetAbove is long ws) all &= test(r.WorkingSet, ws);
            if (CpuAbove is double cpu) all &= test(r.CpuPercent, cpu);
            if (ThreadCountAbove is int threads) all &= test(r.ThreadCount, threads);
            if (HandleCountAbove is int handles) all &= test(r.HandleCount, handles);
            return all;
        }
    }

    /// <summary>Everything a watch needs besides the session: what to watch, the triggers, and the timing.</summary>
    internal sealed class WatchOptions
    {
        public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

        public WatchTriggers Triggers { get; set; } = new WatchTriggers();

        /// <summary>Which process names to watch (the cmdlet passes a wildcard match); null: the platform's worker.</summary>
        public Func<string, bool>? ProcessName { get; set; }

        /// <summary>Only these process ids, when given.</summary>
        public IReadOnlyCollection<int>? Ids { get; set; }

        public bool AllInstances { get; set; }

        /// <summary>Instance ids to watch; none = the one the front end picks (then pinned).</summary>
        public IReadOnlyList<string>? Instances { get; set; }

        public bool IncludeScmSite { get; set; }

        /// <summary>How long the triggers must hold across consecutive samples; zero = one sample.</summary>
        public TimeSpan For { get; set; }

        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Stop after this many firings.</summary>
        public int Count { get; set; } = 1;

        /// <summary>A process that fired is not fired again for this long.</summary>
        public TimeSpan Cooldown { get; set; }

        /// <summary>Stop watching after this long; null = until Count or cancellation.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Bounds the watch's requests; the session's limiter when null.</summary>
        public RequestLimiter? Limiter { get; set; }

        public IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>The first problem with these options, or null when they can run.</summary>
        public KuduArgumentException? Problem()
        {
            if (!Triggers.Any)
            {
                return new KuduArgumentException("The watch has no trigger.", AdviceKey.WatchTrigger);
            }

            string minimum = MinimumInterval.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            if (Interval < MinimumInterval)
            {
                return new KuduArgumentException($"The interval is under {minimum} second: each sample asks Kudu for every watched process's details.", new KuduAdvice(AdviceKey.WatchInterval, minimum));
            }

            if (For < TimeSpan.Zero || Cooldown < TimeSpan.Zero || (Timeout is TimeSpan t && t <= TimeSpan.Zero))
            {
                return new KuduArgumentException("A hold or cooldown time is negative, or the timeout is not positive.", AdviceKey.WatchDurations);
            }

            return Count < 1 ? new KuduArgumentException("The watch is to fire fewer than once.", AdviceKey.WatchCount) : null;
        }
    }
}
