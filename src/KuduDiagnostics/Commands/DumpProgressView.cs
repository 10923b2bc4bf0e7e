using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Commands
{
    /// <summary>Turns dump progress snapshots into progress records: one bar per dump.</summary>
    internal sealed class DumpProgressView
    {
        private static int s_lastActivityId = 0x4B44; // clear of the ids other commands' bars tend to use
        private readonly ConcurrentDictionary<string, int> _activities = new ConcurrentDictionary<string, int>();

        public static int NewActivityId() => Interlocked.Increment(ref s_lastActivityId);

        /// <summary>The bar of one process of one site instance (the same process keeps its bar).</summary>
        public int ActivityOf(KuduTarget target) =>
            _activities.GetOrAdd($"{target.SiteName}|{target.Instance}|{target.Id}", _ => NewActivityId());

        /// <summary>Called on a timer thread: builds the record there (the snapshot keeps changing).</summary>
        public static ProgressRecord Record(int activityId, DumpProgress p)
        {
            var record = new ProgressRecord(activityId, ActivityOf(p), StatusOf(p));
            switch (p.Phase)
            {
                case DumpPhase.Transferring when p.TotalBytes is long total && total > 0:
                    record.PercentComplete = (int)System.Math.Min(100, p.BytesTransferred * 100 / total);
                    if (p.BytesPerSecond > 0)
                    {
                        record.SecondsRemaining = (int)((total - p.BytesTransferred) / p.BytesPerSecond);
                    }

                    break;
                case DumpPhase.Completed:
                    record.RecordType = ProgressRecordType.Completed;
                    break;
            }

            return record;
        }

        public static ProgressRecord Completed(int activityId, string activity) =>
            new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed };

        /// <summary>"Mini dump w3wp (4100) contoso/a1b2c3": short, so an 80-column bar still shows the status after it.</summary>
        internal static string ActivityOf(DumpProgress p)
        {
            KuduTarget t = p.Target;
            string where = t.Instance == null ? t.SiteName : $"{t.SiteName}/{t.ShortInstance}";
            return $"{p.DumpLabel} dump {t.Name} ({t.Id}) {where}";
        }

        /// <summary>The elapsed time comes first: consoles cut the end of a status that is too long, never the start.</summary>
        internal static string StatusOf(DumpProgress p)
        {
            string elapsed = p.Elapsed.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
            switch (p.Phase)
            {
                case DumpPhase.Queued:
                    return $"{elapsed} queued: Kudu writes one dump at a time per site";
                case DumpPhase.WaitingForServer:
                    return $"{elapsed} Kudu writing the dump; process frozen, no bytes yet";
                case DumpPhase.Transferring when p.WireBytes is long wire:
                    // -Compress: the dump written so far and the zip it came from; the rate is the dump's.
                    return $"{elapsed} {Mebibytes(p.BytesTransferred)} from {Mebibytes(wire)} zipped, {p.BytesPerSecond / 1_000_000:N1} MB/s";
                case DumpPhase.Transferring:
                    string of = p.TotalBytes is long total ? $" of {Mebibytes(total)}" : string.Empty;
                    return $"{elapsed} {Mebibytes(p.BytesTransferred)}{of} at {p.BytesPerSecond / 1_000_000:N1} MB/s";
                default:
                    return $"{elapsed} done";
            }
        }

        private static string Mebibytes(long bytes) => (bytes / 1048576.0).ToString("N1", CultureInfo.InvariantCulture) + " MiB";
    }
}
