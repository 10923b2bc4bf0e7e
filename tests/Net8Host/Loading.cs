using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using static Net8Host.Program;

namespace Net8Host
{
    /// <summary>The loading checks: what the host brings, what loads first, and where the module's assemblies bind.</summary>
    internal static class Loading
    {
        private static readonly Version OtherAzureCore = new Version(1, 44, 1, 0);

        public static string ExpectNet8()
        {
            Expect(Environment.Version.Major == 8, $"running on .NET {Environment.Version}");
            return $"{Environment.Version} from {RuntimeEnvironment.GetRuntimeDirectory()}";
        }

        /// <summary>Resolution must go through the module's isolation: nothing of it may sit in the host's folder, deps.json or TPA.</summary>
        public static string ExpectHostHasNoModuleAssemblies(string hostFolder)
        {
            string[] inFolder = Directory.GetFiles(hostFolder, "*.dll").Select(Path.GetFileName).Where(IsModuleOrSdk).ToArray()!;
            string[] inTpa = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? string.Empty)
                .Split(Path.PathSeparator).Select(Path.GetFileName).Where(IsModuleOrSdk).ToArray()!;
            string deps = File.ReadAllText(Path.Combine(hostFolder, "Net8Host.deps.json"));
            bool depsClean = !deps.Contains("KuduDiagnostics", StringComparison.OrdinalIgnoreCase) && !deps.Contains("Azure.", StringComparison.Ordinal);
            Expect(inFolder.Length == 0 && inTpa.Length == 0 && depsClean,
                $"folder: [{string.Join(", ", inFolder)}], TPA: [{string.Join(", ", inTpa)}], deps.json mentions the module: {!depsClean}");
            return "folder, deps.json and TPA hold only the host and the System.Management.Automation stand-in";
        }

        /// <summary>As a script using Az.Accounts would: the other Azure.Core in the default context, used before the import.</summary>
        public static string UseOtherAzureCore(string path)
        {
            Assembly other = Assembly.LoadFrom(path);
            Type context = other.GetType("Azure.Core.TokenRequestContext", throwOnError: true)!;
            ConstructorInfo ctor = context.GetConstructors()
                .Where(c => c.GetParameters().FirstOrDefault()?.ParameterType == typeof(string[]))
                .OrderBy(c => c.GetParameters().Length).First();
            object?[] arguments = ctor.GetParameters()
                .Select((p, i) => i == 0 ? new[] { "https://management.azure.com/.default" } : p.HasDefaultValue ? p.DefaultValue : null)
                .ToArray();
            object value = ctor.Invoke(arguments);
            string[] scopes = (string[])context.GetProperty("Scopes")!.GetValue(value)!;
            Expect(other.GetName().Version == OtherAzureCore && AssemblyLoadContext.GetLoadContext(other) == AssemblyLoadContext.Default && scopes[0] == "https://management.azure.com/.default",
                $"Azure.Core {other.GetName().Version} in {AssemblyLoadContext.GetLoadContext(other)?.Name}, scope {scopes[0]}");
            return $"Azure.Core {other.GetName().Version} in the default context, TokenRequestContext built";
        }

        public static string Import(string moduleFolder)
        {
            var ran = ModuleImport.Import(moduleFolder);
            Expect(ran.SequenceEqual(new[] { "KuduDiagnostics.DependencyIsolation" }), $"initializers: [{string.Join(", ", ran)}]");
            Assembly sma = typeof(System.Management.Automation.IModuleAssemblyInitializer).Assembly;
            return $"{string.Join(", ", ran)} ran; engine: {sma.GetName().FullName}";
        }

        public static string ExpectCoreIsolated(string moduleFolder)
        {
            Assembly core = CoreDriver.CoreAssembly;
            Assembly model = typeof(KuduDiagnostics.KuduSession).Assembly;
            AssemblyLoadContext? coreContext = AssemblyLoadContext.GetLoadContext(core);
            Expect(coreContext?.Name == "KuduDiagnostics" && SamePath(core.Location, Path.Combine(moduleFolder, "dependencies", "KuduDiagnostics.Core.dll")),
                $"core in '{coreContext?.Name}' from {core.Location}");
            Expect(AssemblyLoadContext.GetLoadContext(model) == AssemblyLoadContext.Default && SamePath(model.Location, Path.Combine(moduleFolder, "KuduDiagnostics.Model.dll")),
                $"model in '{AssemblyLoadContext.GetLoadContext(model)?.Name}' from {model.Location}");
            return "core in 'KuduDiagnostics' from dependencies/, public types in 'Default' from the module root";
        }

        /// <summary>
        /// Once the core is bound, and before anything asks for them, the private context must already hold our copies
        /// of what .NET 8 ships older (System.Text.Json 10 over the runtime's 8, ...), and not those the runtime ships
        /// newer (System.Memory 8 over our 4.0.x): otherwise the first request decides, and MSAL asking for 6.0 gets
        /// the runtime's copy while Azure.Core gets ours. Only looks: loads nothing.
        /// </summary>
        public static string ExpectPreloaded(string moduleFolder)
        {
            AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(CoreDriver.CoreAssembly)!;
            var loaded = context.Assemblies.ToDictionary(x => x.GetName().Name!, x => x.GetName().Version!);
            var problems = new System.Collections.Generic.List<string>();
            foreach (string name in new[] { "System.Text.Json", "System.Text.Encodings.Web", "System.Diagnostics.DiagnosticSource" })
            {
                Version ours = AssemblyName.GetAssemblyName(Path.Combine(moduleFolder, "dependencies", name + ".dll")).Version!;
                if (!loaded.TryGetValue(name, out Version? version) || version != ours)
                {
                    problems.Add($"{name} {ours} not preloaded ({(version == null ? "absent" : version.ToString())})");
                }
            }

            if (loaded.ContainsKey("System.Memory"))
            {
                problems.Add($"System.Memory {loaded["System.Memory"]} preloaded over the runtime's newer copy");
            }

            Expect(problems.Count == 0, string.Join("; ", problems));
            return $"{loaded.Count} assemblies in 'KuduDiagnostics', our System.Text.Json, System.Text.Encodings.Web and System.Diagnostics.DiagnosticSource among them, System.Memory left to the runtime";
        }

        /// <summary>
        /// After all the work above, ask the private context for what MSAL asks (6.0) and what Azure.Core and
        /// System.Text.Json ask (ours): each request must get our copy. System.Memory, where the runtime's copy is
        /// newer than ours, must come from the runtime. And Azure.Core 1.44.1 still sits beside ours.
        /// </summary>
        public static string ExpectConsistentSet(string moduleFolder)
        {
            AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(CoreDriver.CoreAssembly)!;
            string dependencies = Path.Combine(moduleFolder, "dependencies");
            var problems = new System.Collections.Generic.List<string>();
            foreach (string name in new[] { "System.Text.Json", "System.Text.Encodings.Web", "System.Diagnostics.DiagnosticSource" })
            {
                Version ours = AssemblyName.GetAssemblyName(Path.Combine(dependencies, name + ".dll")).Version!;
                foreach (Version asked in new[] { new Version(6, 0, 0, 0), ours })
                {
                    Assembly got = context.LoadFromAssemblyName(new AssemblyName($"{name}, Version={asked}"));
                    if (got.GetName().Version != ours || AssemblyLoadContext.GetLoadContext(got) != context)
                    {
                        problems.Add($"{name} {asked} -> {got.GetName().Version} in '{AssemblyLoadContext.GetLoadContext(got)?.Name}'");
                    }
                }
            }

            Assembly memory = context.LoadFromAssemblyName(new AssemblyName("System.Memory, Version=4.0.1.2"));
            if (AssemblyLoadContext.GetLoadContext(memory) != AssemblyLoadContext.Default)
            {
                problems.Add($"System.Memory -> {memory.GetName().Version} in '{AssemblyLoadContext.GetLoadContext(memory)?.Name}', not the runtime's");
            }

            var azureCores = AppDomain.CurrentDomain.GetAssemblies().Where(x => x.GetName().Name == "Azure.Core")
                .Select(x => $"{x.GetName().Version} in '{AssemblyLoadContext.GetLoadContext(x)?.Name}'").OrderBy(x => x).ToArray();
            if (azureCores.Length != 2 || !azureCores.Contains($"{OtherAzureCore} in 'Default'"))
            {
                problems.Add($"Azure.Core: [{string.Join(", ", azureCores)}]");
            }

            Expect(problems.Count == 0, string.Join("; ", problems));
            return $"System.Text.Json, System.Text.Encodings.Web, System.Diagnostics.DiagnosticSource: ours for 6.0 and ours; System.Memory {memory.GetName().Version} the runtime's; Azure.Core [{string.Join(", ", azureCores)}]";
        }

        private static bool IsModuleOrSdk(string? file) =>
            file != null && (file.StartsWith("KuduDiagnostics", StringComparison.OrdinalIgnoreCase) || file.StartsWith("Azure.", StringComparison.OrdinalIgnoreCase)
                || file.StartsWith("Microsoft.Identity", StringComparison.OrdinalIgnoreCase));

        private static bool SamePath(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
    }
}
