using System;
using System.Collections.Generic;
using System.Text.Json;

namespace KuduDiagnostics.Kudu
{
    /// <summary>dotnet-monitor's process JSON, as KuduLite passes it through (camelCase; pid instead of id).</summary>
    internal static partial class KuduJson
    {
        /// <summary>[{"pid":123,"uid":"...","name":"dotnet","isDefault":true}]</summary>
        public static List<KuduProcess> ParseMonitorProcessList(JsonElement root) =>
            ParseList(root, item => new KuduProcess { Id = RequiredInt(item, "pid"), Name = String(item, "name") ?? string.Empty });

        /// <summary>{pid, uid, name, commandLine, operatingSystem, processArchitecture}</summary>
        public static KuduProcessDetail ParseMonitorProcessDetail(JsonElement o)
        {
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected a JSON process object but got {o.ValueKind}");
            }

            return new KuduProcessDetail
            {
                Id = RequiredInt(o, "pid"),
                Name = String(o, "name") ?? string.Empty,
                CommandLine = String(o, "commandLine"),
                OperatingSystem = String(o, "operatingSystem"),
                ProcessArchitecture = String(o, "processArchitecture"),
            };
        }

        /// <summary>True when a list item is dotnet-monitor's (pid, no id): the answer of a Linux app.</summary>
        public static bool LooksLikeMonitorList(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                return false;
            }

            JsonElement first = root[0];
            return first.ValueKind == JsonValueKind.Object && Property(first, "pid") != null && Property(first, "id") == null;
        }
    }
}
