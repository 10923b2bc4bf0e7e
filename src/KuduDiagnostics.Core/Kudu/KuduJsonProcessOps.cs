using System;
using System.Collections.Generic;
using System.Text.Json;

namespace KuduDiagnostics.Kudu
{
    /// <summary>Kudu's ProcessThreadInfo and ProcessModuleInfo (their JsonProperty names, Kudu's spelling kept).</summary>
    internal static partial class KuduJson
    {
        private const string NoWaitReason = "Cannot obtain wait reason unless thread is in waiting state";

        public static List<KuduThread> ParseThreadList(JsonElement root) => Objects(root, "threads", ParseThread);

        public static KuduThread ParseThread(JsonElement t)
        {
            string? waitReason = String(t, "wait_reason");
            return new KuduThread
            {
                Id = RequiredInt(t, "id"),
                Href = UriValue(t, "href"),
                State = String(t, "state"),
                WaitReason = string.Equals(waitReason, NoWaitReason, StringComparison.Ordinal) ? null : waitReason,
                StartAddress = String(t, "start_address"),
                CurrentPriority = Priority(t, "current_priority"),
                BasePriority = Priority(t, "base_priority"),
                PriorityLevel = String(t, "priority_level"),
                StartTime = Date(t, "start_time"),
                TotalProcessorTime = CpuTime(t, "total_processor_time"),
                UserProcessorTime = CpuTime(t, "user_processor_time"),
                PrivilegedProcessorTime = CpuTime(t, "priviledged_processor_time"),
            };
        }

        public static List<KuduModule> ParseModuleList(JsonElement root) => Objects(root, "modules", ParseModule);

        public static KuduModule ParseModule(JsonElement m) => new KuduModule
        {
            BaseAddress = String(m, "base_address") ?? throw new FormatException("a module has no 'base_address'"),
            FileName = String(m, "file_name"),
            FilePath = String(m, "file_path"),
            FileVersion = String(m, "file_version"),
            FileDescription = String(m, "file_description"),
            Product = String(m, "product"),
            ProductVersion = String(m, "product_version"),
            ModuleMemorySize = Property(m, "module_memory_size") is JsonElement size ? ReadLong(size, "module_memory_size") : (long?)null,
            IsDebug = Property(m, "is_debug") is JsonElement debug ? debug.ValueKind == JsonValueKind.True : (bool?)null,
            Language = String(m, "language"),
            Href = UriValue(m, "href"),
        };

        /// <summary>Kudu omits a zero priority and writes -1 when it could not read one.</summary>
        private static int? Priority(JsonElement o, string name)
        {
            int value = Property(o, name) is JsonElement v ? ReadInt(v, name) : 0;
            return value < 0 ? (int?)null : value;
        }

        private static List<T> Objects<T>(JsonElement root, string what, Func<JsonElement, T> read)
        {
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"expected a JSON array of {what} but got {root.ValueKind}");
            }

            var list = new List<T>(root.GetArrayLength());
            foreach (JsonElement item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"expected an object in the {what} but got {item.ValueKind}");
                }

                list.Add(read(item));
            }

            return list;
        }
    }
}
