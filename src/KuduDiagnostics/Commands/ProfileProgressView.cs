using System;
using System.Globalization;
using System.Management.Automation;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Commands
{
    /// <summary>One progress bar per profile: the time left while it records, then the bytes while it downloads.</summary>
    internal static class ProfileProgressView
    {
        public static ProgressRecord Record(int activityId, ProfileProgress p)
        {
            KuduTarget t = p.Target;
            string where = t.Instance == null ? t.SiteName : $"{t.SiteName}/{t.ShortInstance}";
            var record = new ProgressRecord(activityId, $"CPU profile {t.Name} ({t.Id}) {where}", StatusOf(p));
            switch (p.Phase)
            {
                case ProfilePhase.Recording:
                    double total = p.Duration.TotalSeconds;
                    record.PercentComplete = total > 0 ? (int)Math.Min(100, (total - p.Remaining.TotalSeconds) * 100 / total) : 0;
                    record.SecondsRemaining = (int)Math.Ceiling(p.Remaining.TotalSeconds);
                    break;
                case ProfilePhase.Downloading when p.TotalBytes is long bytes && bytes > 0:
                    record.PercentComplete = (int)Math.Min(100, p.BytesTransferred * 100 / bytes);
                    break;
                case ProfilePhase.Completed:
                    record.RecordType = ProgressRecordType.Completed;
                    break;
            }

            return record;
        }

        /// <summary>The changing part first: consoles cut the end of a status that is too long.</summary>
        internal static string StatusOf(ProfileProgress p)
        {
            switch (p.Phase)
            {
                case ProfilePhase.Recording:
                    return $"{p.Remaining.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)} left recording";
                case ProfilePhase.Downloading:
                    string of = p.TotalBytes is long total ? $" of {total / 1048576.0:N1} MiB" : string.Empty;
                    return $"{p.BytesTransferred / 1048576.0:N1} MiB{of} of the .diagsession received";
                default:
                    return "done";
            }
        }
    }
}
