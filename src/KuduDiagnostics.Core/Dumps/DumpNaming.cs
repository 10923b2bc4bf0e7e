using System;
using System.Globalization;
using System.Text;

namespace KuduDiagnostics.Dumps
{
    /// <summary>What a dump is of; names and blob metadata are made from it.</summary>
    internal sealed class DumpDescriptor
    {
        public string SiteName { get; set; } = string.Empty;
        public string? Slot { get; set; }
        public string? Instance { get; set; }
        public int ProcessId { get; set; }
        public string ProcessName { get; set; } = string.Empty;
        public DumpKind Kind { get; set; } = null!;
        public bool Zip { get; set; }
        public DateTime CaptureTimeUtc { get; set; }
    }

    /// <summary>
    /// Names a dump: "2026-11-25/contoso_1a2b3c_w3wp_4512_20261125T120102Z_full.dmp". Every part comes from the
    /// server or the user, so each is reduced to letters, digits and hyphens: nothing can climb out of the
    /// destination folder, and the name is valid on Windows, Linux and in blob storage.
    /// </summary>
    internal static class DumpNaming
    {
        private const int MaxPartLength = 60;

        public static string DateFolder(DumpDescriptor d) => d.CaptureTimeUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        public static string FileName(DumpDescriptor d)
        {
            string site = Safe(d.Slot == null ? d.SiteName : d.SiteName + "-" + d.Slot, "site");
            string instance = Safe(d.Instance == null ? "any" : d.Instance.Substring(0, Math.Min(6, d.Instance.Length)), "any");
            string process = Safe(d.ProcessName, "process");
            string time = d.CaptureTimeUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            string extension = d.Zip ? ".zip" : ".dmp";
            return $"{site}_{instance}_{process}_{d.ProcessId.ToString(CultureInfo.InvariantCulture)}_{time}_{Safe(d.Kind.Label, "dump")}{extension}";
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
