using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// PowerShell 7's side of DependencyRules: which files of dependencies/ go into the private load context, asked
    /// with the real built dependencies against the real runtimes: .NET 8 (PowerShell 7.4, Azure Automation), from
    /// its NuGet package, and the .NET 10 this test runs on (PowerShell 7.6).
    /// </summary>
    public class PreloadRuleTests
    {
        private static readonly string[] DotNet8ShipsOlder = { "System.Text.Json", "System.Text.Encodings.Web", "System.Diagnostics.DiagnosticSource" };

        [Theory]
        [InlineData("4.0.2.0", "8.0.0.0", false)]   // System.Memory: .NET 8's is newer, two copies would split Span<T>
        [InlineData("10.0.0.0", "8.0.0.0", true)]   // System.Text.Json on .NET 8: ours is newer
        [InlineData("10.0.0.0", "10.0.0.0", false)] // the same version: the runtime's
        [InlineData("8.0.0.0", "8.0.0.0", false)]   // System.Formats.Asn1 on .NET 8
        [InlineData("1.60.0.0", null, true)]        // Azure.Core: the runtime has none
        public void Ours_only_when_the_runtime_has_none_or_an_older_one(string ours, string? runtime, bool preferOurs)
        {
            Assert.Equal(preferOurs, DependencyRules.PreferOurs(Version.Parse(ours), runtime == null ? null : Version.Parse(runtime)));
        }

        [Fact]
        public void On_dotnet_8_ours_of_what_it_ships_older_and_the_runtimes_of_the_rest()
        {
            string net8 = TestPaths.Package("microsoft.netcore.app.runtime.linux-x64/8.0.34/runtimes/linux-x64/lib/net8.0", "tests/Tools/Bootstrap.csproj");
            string[] preload = Names(DependencyRules.PreloadList(DependencyFiles(), Directory.GetFiles(net8, "*.dll"), VersionOf, "KuduDiagnostics.Core"));

            Assert.All(DotNet8ShipsOlder, name => Assert.Contains(name, preload));
            Assert.Contains("Azure.Core", preload);
            Assert.Contains("Microsoft.Identity.Client", preload);
            Assert.Contains("System.IO.Pipelines", preload); // not in .NET 8's shared framework at all
            Assert.DoesNotContain("System.Memory", preload);
            Assert.DoesNotContain("System.Buffers", preload);
            Assert.DoesNotContain("System.Formats.Asn1", preload); // 8.0 both: the runtime's
            Assert.DoesNotContain("KuduDiagnostics.Core", preload); // loaded last, by the caller
        }

        [Fact]
        public void On_the_running_dotnet_10_the_runtimes_System_Text_Json()
        {
            // The shared framework this test runs on, as pwsh 7.6 has it (not this process's TPA: it lists the test's
            // own bin folder, Azure SDK included).
            Assert.Equal(10, Environment.Version.Major);
            string[] platform = Directory.GetFiles(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "*.dll");
            string[] preload = Names(DependencyRules.PreloadList(DependencyFiles(), platform, VersionOf, "KuduDiagnostics.Core"));

            Assert.All(DotNet8ShipsOlder, name => Assert.DoesNotContain(name, preload));
            Assert.DoesNotContain("System.Memory", preload);
            Assert.Contains("Azure.Core", preload);
        }

        [Fact]
        public void A_file_whose_version_cannot_be_read_is_not_preloaded_and_an_unreadable_runtime_copy_counts_as_absent()
        {
            var versions = new Dictionary<string, Version?> { ["/m/dependencies/A.dll"] = null, ["/m/dependencies/B.dll"] = new Version(2, 0), ["/rt/B.dll"] = null };
            List<string> preload = DependencyRules.PreloadList(new[] { "/m/dependencies/A.dll", "/m/dependencies/B.dll" }, new[] { "/rt/B.dll", string.Empty }, p => versions[p], "Core");

            Assert.Equal(new[] { "/m/dependencies/B.dll" }, preload);
        }

        internal static string[] DependencyFiles() => Directory.GetFiles(TestPaths.DependencyFolder, "*.dll");

        internal static Version? VersionOf(string path) => AssemblyName.GetAssemblyName(path).Version;

        private static string[] Names(IEnumerable<string> files) => files.Select(Path.GetFileNameWithoutExtension).ToArray()!;
    }
}
