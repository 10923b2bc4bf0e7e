using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// Reads Kudu's process JSON leniently: Kudu omits false/zero/null/MinValue/TimeSpan.Zero, and reports
    /// values it failed to read with sentinels (-1, "-00:00:01", "N/A") which become null here.
    /// </summary>
    internal static partial class KuduJson
    {
        private static readonly TimeSpan FailedReadTime = TimeSpan.FromSeconds(-1);

        public static List<KuduProcess> ParseProcessList(JsonElement root) => ParseList(root, item => new KuduProcess
        {
            Id = RequiredInt(item, "id"),
            Name = String(item, "name") ?? string.Empty,
            MachineName = String(item, "machineName"),
            Href = UriValue(item, "href"),
            UserName = String(item, "user_name"),
            IsScmSite = IsScmPool(String(item, "user_name")),
        });

        /// <summary>A JSON array of process objects, each read by <paramref name="read"/>; anything else is a FormatException.</summary>
        internal static List<KuduProcess> ParseList(JsonElement root, Func<JsonElement, KuduProcess> read)
        {
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"expected a JSON array of processes but got {root.ValueKind}");
            }

            var list = new List<KuduProcess>(root.GetArrayLength());
            foreach (JsonElement item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"expected a process object but got {item.ValueKind}");
                }

                list.Add(read(item));
            }

            return list;
        }

        /// <summary>The SCM site's worker runs in the pool "~1" + the site's: IIS APPPOOL\~1contoso.</summary>
        internal static bool IsScmPool(string? userName)
        {
            if (string.IsNullOrEmpty(userName))
            {
                return false;
            }

            string pool = userName!.Substring(userName.LastIndexOf('\\') + 1);
            return pool.StartsWith("~1", StringComparison.Ordinal);
        }


        public static KuduProcessDetail ParseProcessDetail(JsonElement o)
        {
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected a JSON process object but got {o.ValueKind}");
            }

            return new KuduProcessDetail
            {
                Id = RequiredInt(o, "id"),
                Name = String(o, "name") ?? string.Empty,
                MachineName = String(o, "machineName"),
                Href = UriValue(o, "href"),
                UserName = String(o, "user_name"),
                MinidumpUri = UriValue(o, "minidump"),
                IsProfileRunning = Bool(o, "is_profile_running"),
                IsIisProfileRunning = Bool(o, "is_iis_profile_running"),
                IisProfileTimeoutInSeconds = Double(o, "iis_profile_timeout_in_seconds"),
                Parent = UriValue(o, "parent"),
                Children = UriArray(o, "children"),
                Threads = Threads(o),
                OpenFileHandles = StringArray(o, "open_file_handles"),
                Modules = Modules(o),
                FileName = NotAvailableToNull(String(o, "file_name")),
                CommandLine = String(o, "command_line"),
                HandleCount = Count(o, "handle_count"),
                ModuleCount = Count(o, "module_count"),
                ThreadCount = Count(o, "thread_count"),
                StartTime = Date(o, "start_time"),
                TotalCpuTime = CpuTime(o, "total_cpu_time"),
                UserCpuTime = CpuTime(o, "user_cpu_time"),
                PrivilegedCpuTime = CpuTime(o, "privileged_cpu_time"),
                WorkingSet = Memory(o, "working_set"),
                PeakWorkingSet = Memory(o, "peak_working_set"),
                PrivateMemory = Memory(o, "private_memory"),
                VirtualMemory = Memory(o, "virtual_memory"),
                PeakVirtualMemory = Memory(o, "peak_virtual_memory"),
                PagedSystemMemory = Memory(o, "paged_system_memory"),
                NonPagedSystemMemory = Memory(o, "non_paged_system_memory"),
                PagedMemory = Memory(o, "paged_memory"),
                PeakPagedMemory = Memory(o, "peak_paged_memory"),
                TimeStamp = Date(o, "time_stamp"),
                EnvironmentVariables = Environment(o),
                IsScmSite = Bool(o, "is_scm_site"),
                IsWebJob = Bool(o, "is_webjob"),
                Description = String(o, "description"),
            };
        }

        /// <summary>Kudu's error body: {"Message": "..."} (plus ExceptionMessage for unhandled exceptions).</summary>
        public static string? TryReadErrorMessage(string body)
        {
            if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
            {
                return null;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                string? message = String(doc.RootElement, "Message");
                string? detail = String(doc.RootElement, "ExceptionMessage");
                if (message != null && detail != null && !message.Contains(detail))
                {
                    return message + " " + detail;
                }

                return message ?? detail;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
