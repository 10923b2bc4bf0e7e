// The .NET 8 leg of the test suite: PowerShell 7.4 (what Azure Automation runs) lives on .NET 8, and PowerShell 7.4
// itself is not available here, so this host stands in for the PowerShell engine's LOADING of the module, not for
// anything else: it loads Azure.Core 1.44.1 into the default context first (as Az.Accounts does), imports the built
// out/KuduDiagnostics the way pwsh imports a binary module (LoadFrom of the root assemblies, then the module's
// IModuleAssemblyInitializer), and drives the core as the cmdlets do. It does NOT stand in for parameter binding,
// the pipeline, formatting or error records: the Pester suite covers those in real pwsh 7.6.
// Each check prints "[pass]" or "[FAIL]"; the last line is "net8: N passed, N failed"; the exit code is 1 on any failure.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Net8Host
{
    internal static class Program
    {
        private static int s_passed;
        private static int s_failed;

        private static async Task<int> Main(string[] args)
        {
            Dictionary<string, string> a = ParseArguments(args);
            foreach (string required in new[] { "module", "emulator-ready", "azure-core" })
            {
                if (!a.ContainsKey(required))
                {
                    Console.Error.WriteLine($"usage: Net8Host --module <out/KuduDiagnostics> --emulator-ready <ready.json> --azure-core <Azure.Core 1.44.1 dll> [--blob-container <container URI with SAS>] [--work <folder>] [--dump <core> --marker-type <type> --marker-count <n>]");
                    return 2;
                }
            }

            string module = Path.GetFullPath(a["module"]);
            var emulator = EmulatorInfo.Load(a["emulator-ready"]);
            string work = a.TryGetValue("work", out string? w) ? w : Path.Combine(Path.GetTempPath(), "kudu-net8-" + Guid.NewGuid().ToString("n")[..8]);
            Directory.CreateDirectory(work);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            CancellationToken ct = timeout.Token;

            // Read by Azure.Identity's managed identity credential, as App Service and Automation set them.
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", emulator.IdentityEndpoint);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", emulator.IdentityHeader);

            Console.WriteLine($"== .NET {Environment.Version} host importing {module}");
            Check("runs on .NET 8", () => Loading.ExpectNet8());
            Check("the host carries none of the module's assemblies", () => Loading.ExpectHostHasNoModuleAssemblies(AppContext.BaseDirectory));
            Check("Azure.Core 1.44.1 loads first and works", () => Loading.UseOtherAzureCore(a["azure-core"]));
            Check("Import: LoadFrom of the root assemblies, then IModuleAssemblyInitializer.OnImport", () => Loading.Import(module));
            Check("the core binds in the module's private load context", () => Loading.ExpectCoreIsolated(module));
            Check("the private context holds our copy of each dependency .NET 8 ships older", () => Loading.ExpectPreloaded(module));

            EmulatorSite site = emulator.Sites[0];
            CoreDriver? basic = null;
            await CheckAsync("session with publishing credentials (Basic)", async () =>
            {
                basic = await CoreDriver.ConnectBasicAsync(site.ScmUrl, site.Name, site.UserName, site.Password, ct);
                return basic.SiteName;
            });

            string instance = site.Instances[0];
            ProcessRow? worker = null;
            await CheckAsync("list the processes of an instance", async () =>
            {
                List<ProcessRow> processes = await Require(basic).ProcessesAsync(instance, ct);
                Expect(processes.Count > 0 && processes.All(p => p.Instance == instance), $"{processes.Count} processes, instances {string.Join(",", processes.Select(p => p.Instance).Distinct())}");
                return $"{processes.Count} processes: {string.Join(", ", processes.Select(p => p.Name + "/" + p.Id))}";
            });
            await CheckAsync("a process detail (the first app w3wp)", async () =>
            {
                worker = await Require(basic).DetailAsync(instance, -1, ct);
                Expect(worker.Name == "w3wp" && !worker.IsScmSite && worker.Id > 0 && worker.Instance == instance, $"got {worker}");
                return $"{worker.Name} {worker.Id}";
            });
            await CheckAsync("a dump to disk, the emulator's exact bytes", async () =>
            {
                DumpRow dump = await Require(basic).DumpToFolderAsync(instance, Require(worker).Id, Path.Combine(work, "dumps"), ct);
                Expected expected = await emulator.ExpectedDumpAsync(site.Key, instance, worker!.Id, dump.Mask, ct);
                Expect(dump.Path != null && File.Exists(dump.Path), $"no file at {dump.Path}");
                string sha = Hash.Sha256(File.ReadAllBytes(dump.Path!));
                Expect(dump.Length == expected.Length && sha == expected.Sha256 && dump.SignatureValid, $"{dump.Length} bytes sha256 {sha}, expected {expected.Length} bytes {expected.Sha256}");
                return $"{dump.Length} bytes, sha256 matches";
            });
            await CheckAsync("a dump to Azure Blob Storage (Azurite), the emulator's exact bytes", async () =>
            {
                Expect(a.TryGetValue("blob-container", out string? container), "no --blob-container given (Azurite did not start)");
                var containerUri = new Uri(container!);
                DumpRow dump = await Require(basic).DumpToBlobAsync(instance, Require(worker).Id, containerUri, ct);
                Expected expected = await emulator.ExpectedDumpAsync(site.Key, instance, worker!.Id, dump.Mask, ct);
                byte[] blob = await Blob.DownloadAsync(containerUri, dump.BlobName!, ct);
                string sha = Hash.Sha256(blob);
                Expect(blob.Length == expected.Length && sha == expected.Sha256, $"{blob.Length} bytes sha256 {sha}, expected {expected.Length} bytes {expected.Sha256}");
                return $"{dump.BlobName}: {blob.Length} bytes, sha256 matches";
            });
            basic?.Dispose();

            CoreDriver? identity = null;
            await CheckAsync("managed identity + Resource Manager session (-ResourceId -UseAzureIdentity)", async () =>
            {
                identity = await CoreDriver.ConnectAzureIdentityAsync(site.ResourceId, new Uri(emulator.ArmUrl), ct);
                return identity.SiteName;
            });
            await CheckAsync("every instance from Resource Manager, the processes of each (-AllInstances)", async () =>
            {
                List<string> instances = await Require(identity).InstancesAsync(ct);
                Expect(instances.OrderBy(i => i).SequenceEqual(site.Instances.OrderBy(i => i)), $"Resource Manager listed {string.Join(",", instances)}");
                var counts = new List<int>();
                foreach (string i in instances)
                {
                    List<ProcessRow> processes = await identity!.ProcessesAsync(i, ct);
                    Expect(processes.Count > 0 && processes.All(p => p.Instance == i), $"instance {i}: {processes.Count} processes");
                    counts.Add(processes.Count);
                }

                return $"{instances.Count} instances, {string.Join(" + ", counts)} processes";
            });
            identity?.Dispose();

            if (a.TryGetValue("dump", out string? dump))
            {
                Check("Get-KuduDumpAnalysis's core on a real Heap dump, .analysis.json beside it", () => Analysis.AnalyzeRealDump(dump, a["marker-type"], int.Parse(a["marker-count"])));
                Check("ClrMD and its System.Collections.Immutable 10 bind in the private context", Analysis.ExpectClrMdIsolated);
            }

            Check("one consistent set in the private context, whatever asks", () => Loading.ExpectConsistentSet(module));

            Directory.Delete(work, recursive: true);
            Console.WriteLine($"net8: {s_passed} passed, {s_failed} failed");
            return s_failed == 0 ? 0 : 1;
        }

        private static T Require<T>(T? value)
            where T : class =>
            value ?? throw new CheckException("an earlier step failed");

        internal static void Expect(bool condition, string message)
        {
            if (!condition)
            {
                throw new CheckException(message);
            }
        }

        private static void Check(string name, Func<string> body) => CheckAsync(name, () => Task.FromResult(body())).GetAwaiter().GetResult();

        private static async Task CheckAsync(string name, Func<Task<string>> body)
        {
            try
            {
                string detail = await body();
                s_passed++;
                Console.WriteLine($"  [pass] {name}: {detail}");
            }
            catch (Exception ex)
            {
                s_failed++;
                Console.WriteLine($"  [FAIL] {name}: {Describe(ex)}");
            }
        }

        /// <summary>Type and message of the exception and of each inner one: the bug of issue 9 hides three levels down.</summary>
        private static string Describe(Exception ex)
        {
            string text = ex is CheckException ? ex.Message : $"{ex.GetType().FullName}: {ex.Message}";
            for (Exception? inner = ex.InnerException; inner != null; inner = inner.InnerException)
            {
                text += $" (inner: {inner.GetType().FullName}: {inner.Message})";
            }

            return text;
        }

        private static Dictionary<string, string> ParseArguments(string[] args)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                result[args[i].TrimStart('-')] = args[i + 1];
            }

            return result;
        }
    }

    internal sealed class CheckException : Exception
    {
        public CheckException(string message)
            : base(message)
        {
        }
    }
}
