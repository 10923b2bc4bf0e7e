using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace KuduDiagnostics.Tests
{
    /// <summary>Where the built module, the repository and NuGet's packages are, seen from the test's bin folder.</summary>
    internal static class TestPaths
    {
        // tests/KuduDiagnostics.Tests/bin/<Configuration>/net10.0
        private static readonly DirectoryInfo Bin = new DirectoryInfo(AppContext.BaseDirectory);

        public static string Configuration => Bin.Parent!.Name;

        public static string RepoRoot => Bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

        /// <summary>out/KuduDiagnostics as build.ps1 laid it out (KUDU_TEST_MODULE names its manifest).</summary>
        public static string ModuleFolder
        {
            get
            {
                string? manifest = Environment.GetEnvironmentVariable("KUDU_TEST_MODULE");
                string folder = string.IsNullOrEmpty(manifest) ? Path.Combine(RepoRoot, "out", "KuduDiagnostics") : Path.GetDirectoryName(manifest)!;
                if (!Directory.Exists(Path.Combine(folder, "dependencies")))
                {
                    throw new InvalidOperationException($"The module is not laid out at {folder}: run build.ps1 -Task Build first.");
                }

                return folder;
            }
        }

        public static string DependencyFolder => Path.Combine(ModuleFolder, "dependencies");

        /// <summary>The NuGet packages folder this project was restored with.</summary>
        public static string NuGetPackageRoot =>
            typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value!;

        /// <summary>A restored package's file; fails with the way to get it when it is missing.</summary>
        public static string Package(string relativePath, string restoredBy)
        {
            string path = Path.Combine(NuGetPackageRoot, relativePath);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new InvalidOperationException($"{path} is missing: restore {restoredBy} (build.ps1 -Task Test does).");
            }

            return path;
        }
    }
}
