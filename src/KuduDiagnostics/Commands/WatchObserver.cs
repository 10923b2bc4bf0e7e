using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using KuduDiagnostics.Watch;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Brings a watch's firings and latest values to Watch-KuduProcess's pipeline thread: each firing is written the
    /// moment it happens; progress shows the watch and its hottest processes, hottest first, one bar each.
    /// </summary>
    internal sealed class WatchObserver : IWatchObserver
    {
        private const int Shown = 5;
        private static readonly long MinimumGap = Stopwatch.Frequency / 4; // progress at most 4 times a second

        private readonly KuduCmdlet _cmdlet;
        private readonly string _activity;
        private readonly int _count;
        private readonly int _parent = DumpProgressView.NewActivityId();
        private readonly int[] _slots = new int[Shown];
        private long _lastShown;
        private int _fired;
        private readonly bool[] _visible = new bool[Shown]; // touched on the pipeline thread only

        public WatchObserver(KuduCmdlet cmdlet, KuduSession session, WatchOptions options)
        {
            _cmdlet = cmdlet;
            _count = options.Count;
            _activity = $"Watching {session.SiteName} every {options.Interval:c} for {options.Triggers.Describe(options.For)}";
            for (int i = 0; i < Shown; i++)
            {
                _slots[i] = DumpProgressView.NewActivityId();
            }
        }

        public void Fired(KuduWatchFiring firing)
        {
            Interlocked.Increment(ref _fired);
            _cmdlet.Bridge.Post(() =>
            {
                _cmdlet.WriteVerbose($"Fired #{firing.Number}: {firing.Name} ({firing.Id}) on {firing.SiteName} instance {Short(firing.Instance)}, crossed at {firing.CrossedAt:HH:mm:ss} UTC.");
                _cmdlet.WriteObject(firing);
            });
        }

        public void Sampled(IReadOnlyList<WatchStatus> hottestFirst)
        {
            long now = Stopwatch.GetTimestamp();
            long last = Interlocked.Read(ref _lastShown);
            if (now - last < MinimumGap || Interlocked.CompareExchange(ref _lastShown, now, last) != last)
            {
                return;
            }

            // Built here, from the snapshot; written on the pipeline thread.
            var records = new List<ProgressRecord>
            {
                new ProgressRecord(_parent, _activity, $"{hottestFirst.Count} process(es) watched; {Volatile.Read(ref _fired)} of {_count} firing(s)"),
            };
            int shown = Math.Min(Shown, hottestFirst.Count);
            for (int i = 0; i < Shown; i++)
            {
                records.Add(i < shown ? Bar(_slots[i], i + 1, hottestFirst[i]) : Done(_slots[i]));
            }

            _cmdlet.Bridge.Post(() =>
            {
                foreach (ProgressRecord record in records)
                {
                    Write(record);
                }
            });
        }

        /// <summary>Clears the bars; on the pipeline thread, when the watch has ended.</summary>
        public void Complete()
        {
            for (int i = 0; i < Shown; i++)
            {
                Write(Done(_slots[i]));
            }

            Write(new ProgressRecord(_parent, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        private void Write(ProgressRecord record)
        {
            int slot = Array.IndexOf(_slots, record.ActivityId);
            if (slot >= 0)
            {
                bool completed = record.RecordType == ProgressRecordType.Completed;
                if (completed && !_visible[slot])
                {
                    return; // never shown: nothing to clear
                }

                _visible[slot] = !completed;
            }

            _cmdlet.WriteProgress(record);
        }

        private ProgressRecord Bar(int activityId, int rank, WatchStatus s)
        {
            WatchSample p = s.Sample;
            WatchReading r = s.Reading;
            var parts = new List<string>();
            if (r.PrivateMemory is long pm) parts.Add("PM " + WatchTriggers.Bytes(pm));
            if (r.WorkingSet is long ws) parts.Add("WS " + WatchTriggers.Bytes(ws));
            parts.Add("CPU " + (r.CpuPercent is double cpu ? cpu.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "?"));
            if (r.ThreadCount is int threads) parts.Add(threads.ToString(CultureInfo.InvariantCulture) + " threads");
            if (r.HandleCount is int handles) parts.Add(handles.ToString(CultureInfo.InvariantCulture) + " handles");
            string holding = s.HoldingSince is DateTime since ? $"; over the line since {since:HH:mm:ss} UTC" : string.Empty;
            return new ProgressRecord(activityId, $"#{rank} {p.Name} ({p.Id}) on instance {Short(p.Instance)}", string.Join(", ", parts) + holding)
            {
                ParentActivityId = _parent,
                PercentComplete = (int)Math.Max(0, Math.Min(100, s.Heat * 100)),
            };
        }

        private ProgressRecord Done(int activityId) =>
            new ProgressRecord(activityId, "Watched process", "Done") { ParentActivityId = _parent, RecordType = ProgressRecordType.Completed };

        private static string Short(string? instance) => instance == null ? "?" : KuduTarget.ShortId(instance);
    }
}
