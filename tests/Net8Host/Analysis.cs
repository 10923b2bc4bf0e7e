using System;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using System.Text.Json;
using static Net8Host.Program;

namespace Net8Host
{
    /// <summary>
    /// The analysis on .NET 8: ClrMD's netstandard2.0 build needs System.Collections.Immutable 10, which .NET 8 ships
    /// as 8.0; it must come from dependencies/ into the module's private context, as every newer dependency does.
    /// The dump is a real one (tests/LinuxTarget dumped by dotnet-dump, passed in by tests/Tools/Net8Leg.psm1).
    /// </summary>
    internal static class Analysis
    {
        public static string AnalyzeRealDump(string dump, string markerType, int markerCount)
        {
            AnalysisRow row = CoreDriver.AnalyzeBeside(dump, markerType);
            Expect(row.HeapInDump && row.MarkerCount == markerCount, $"heap in dump {row.HeapInDump}, {row.MarkerCount} {markerType}, expected {markerCount}");
            Expect(row.Threads > 0, "no managed thread");
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(row.JsonPath));
            JsonElement marker = json.RootElement.GetProperty("TopTypes").EnumerateArray().Single(t => t.GetProperty("Type").GetString() == markerType);
            Expect(marker.GetProperty("Count").GetInt64() == markerCount, $"{row.JsonPath} says {marker.GetProperty("Count")} {markerType}");
            return $".NET {row.RuntimeVersion} dump: {row.MarkerCount} {markerType}, biggest type {row.BiggestType}, {row.Threads} threads; {Path.GetFileName(row.JsonPath)} written";
        }

        public static string ExpectClrMdIsolated()
        {
            AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(CoreDriver.CoreAssembly)!;
            var problems = new System.Collections.Generic.List<string>();
            foreach (string name in new[] { "Microsoft.Diagnostics.Runtime", "System.Collections.Immutable" })
            {
                var copies = AppDomain.CurrentDomain.GetAssemblies().Where(x => x.GetName().Name == name).ToArray();
                var ours = copies.Where(x => AssemblyLoadContext.GetLoadContext(x) == context).ToArray();
                if (ours.Length != 1)
                {
                    problems.Add($"{name}: [{string.Join(", ", copies.Select(x => $"{x.GetName().Version} in '{AssemblyLoadContext.GetLoadContext(x)?.Name}'"))}]");
                }
                else if (name == "System.Collections.Immutable" && ours[0].GetName().Version!.Major < 10)
                {
                    problems.Add($"{name} {ours[0].GetName().Version} in the private context, ClrMD needs 10");
                }
            }

            Expect(problems.Count == 0, string.Join("; ", problems));
            var immutable = AppDomain.CurrentDomain.GetAssemblies().First(x => x.GetName().Name == "System.Collections.Immutable" && AssemblyLoadContext.GetLoadContext(x) == context);
            return $"ClrMD and System.Collections.Immutable {immutable.GetName().Version} in 'KuduDiagnostics'";
        }
    }
}
