using System;
using System.Globalization;
using System.Text;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Dumps
{
    /// <summary>What a dump is of; names and blob metadata are made from it.</summary>
    internal sealed class DumpDescriptor
    {
        /// <summary>Site, slot, instance, process id and name.</summary>
        public KuduTarget Target { get; set; } = null!;
        public DumpKind Kind { get; set; } = null!;
        public DumpFormat Format { get; set; } = null!;

        /// <summary>The MINIDUMP_TYPE mask sent, where the platform has one (Windows); null elsewhere.</summary>
        public int? WireMask { get; set; }

        public KuduPlatform Platform { get; set; }

        /// <summary>The worker's machine name (what alerts split by Instance carry), when known.</summary>
        public string? MachineName { get; set; }

        public DateTime CaptureTimeUtc { get; set; }
    }

    /// <summary>
    /// Names a dump: "2026-11-25/contoso_1a2b3c_w3wp_4512_20261125T120102.345Z_full.dmp". Every part comes from the
    /// server or the user, so each is reduced to letters, digits and hyphens: nothing can climb out of the
    /// destination folder, and the name is valid on Windows, Linux and in blob storage.
    /// </summary>
    internal static class DumpNaming
    {
        private const int MaxPartLength = 60;

        // Milliseconds: dumps taken in a loop or by repeated watch firings land in the same second.
        private const string TimeFormat = "yyyyMMdd'T'HHmmss'.'fff'Z'";

        private static readonly System.Collections.Generic.Dictionary<string, DateTime> LastIssued =
            new System.Collections.Generic.Dictionary<string, DateTime>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// A capture time, to the millisecond, that no earlier dump of the same process (<paramref name="key"/>: site,
        /// instance, pid) was given in this PowerShell process: names built from it never collide, however fast
        /// dumps follow each other.
        /// </summary>
        public static DateTime UniqueCaptureTime(string key, DateTime utcNow)
        {
            DateTime ms = new DateTime(utcNow.Ticks - (utcNow.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
            lock (LastIssued)
            {
                if (LastIssued.TryGetValue(key, out DateTime last) && ms <= last)
                {
                    ms = last.AddMilliseconds(1);
                }

                LastIssued[key] = ms;
                return ms;
            }
        }

        public static string DateFolder(DumpDescriptor d) => d.CaptureTimeUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        public static string FileName(DumpDescriptor d)
        {
            KuduTarget t = d.Target;
            string site = Safe(t.Slot == null ? t.SiteName : t.SiteName + "-" + t.Slot, "site");
            string instance = Safe(t.ShortInstance ?? "any", "any");
            string process = Safe(t.Name, "process");
            string time = d.CaptureTimeUtc.ToString(TimeFormat, CultureInfo.InvariantCulture);
            return $"{site}_{instance}_{process}_{(t.Id ?? 0).ToString(CultureInfo.InvariantCulture)}_{time}_{Safe(d.Kind.Label, "dump")}{d.Format.Extension}";
        }

        /// <summary>The relative path (date folder / file name), with '/' as separator.</summary>
        public static string RelativePath(DumpDescriptor d) => DateFolder(d) + "/" + FileName(d);

        /// <summary>Keeps ASCII letters, digits and hyphens; anything else becomes one underscore.</summary>
        public static string Safe(string? value, string fallback)
        {
            var builder = new StringBuilder();
            bool lastWasUnderscore = false;
            foreach (char c in value ?? string.Empty)
            {
                bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (keep)
                {
                    builder.Append(c);
                    lastWasUnderscore = false;
                }
                else if (!lastWasUnderscore)
                {
                    builder.Append('_');
                    lastWasUnderscore = true;
                }

                if (builder.Length >= MaxPartLength)
                {
                    break;
                }
            }

            string result = builder.ToString().Trim('_', '-');
            return result.Length == 0 ? fallback : result;
        }
    }
}
