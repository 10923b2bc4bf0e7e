using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// Windows PowerShell 5.1's side of DependencyRules. .NET Framework binds a strong-named reference only to the
    /// exact version it names, and a module cannot ship binding redirects, so every reference among our assemblies
    /// whose version differs from the file we ship under that name fails to bind and reaches the module's
    /// AssemblyResolve handler. The list comes from the built assemblies' own metadata, not from a copy of it here.
    /// </summary>
    public class NetFrameworkResolveTests
    {
        public static TheoryData<string, string> Mismatches()
        {
            var data = new TheoryData<string, string>();
            foreach (Mismatch m in FindMismatches())
            {
                data.Add(Path.GetRelativePath(TestPaths.ModuleFolder, m.Requester), m.Requested);
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Mismatches))]
        public void Each_mismatched_reference_is_answered_with_our_copy(string requester, string requested)
        {
            string requesterPath = Path.Combine(TestPaths.ModuleFolder, requester);
            string expected = Path.Combine(TestPaths.DependencyFolder, new AssemblyName(requested).Name + ".dll");

            string? answer = DependencyRules.ResolveOnNetFramework(requested, requesterPath, Array.Empty<string>(), TestPaths.ModuleFolder, PreloadRuleTests.DependencyFiles());

            Assert.Equal(expected, answer);
        }

        [Fact]
        public void The_mismatches_include_those_known_to_break()
        {
            string[] found = FindMismatches().Select(m => $"{Path.GetFileNameWithoutExtension(m.Requester)} -> {new AssemblyName(m.Requested).Name} {new AssemblyName(m.Requested).Version}").ToArray();

            // MSAL 4.x is built against System.Text.Json 6.0; Azure.Identity against an older Azure.Core.
            Assert.Contains("Microsoft.Identity.Client -> System.Text.Json 6.0.0.0", found);
            Assert.Contains("Microsoft.Identity.Client -> System.Text.Encodings.Web 6.0.0.0", found);
            Assert.Contains("Microsoft.Identity.Client -> System.Diagnostics.DiagnosticSource 6.0.0.0", found);
            Assert.Contains(found, f => f.StartsWith("Azure.Identity -> Azure.Core ", StringComparison.Ordinal));
            Assert.Contains(found, f => f.Contains("-> System.Memory ", StringComparison.Ordinal));
            Assert.Contains(found, f => f.Contains("-> Microsoft.Bcl.AsyncInterfaces ", StringComparison.Ordinal));
            Assert.Contains(found, f => f.Contains("-> System.Memory.Data ", StringComparison.Ordinal));
        }

        [Fact]
        public void An_assembly_of_ours_already_loaded_under_that_name_is_reused()
        {
            string loaded = Path.Combine(TestPaths.DependencyFolder, "System.Memory.dll");
            string? answer = DependencyRules.ResolveOnNetFramework(
                "System.Memory, Version=4.0.1.2, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51",
                Path.Combine(TestPaths.DependencyFolder, "Microsoft.Identity.Client.dll"),
                new[] { "/elsewhere/System.Memory.dll", loaded },
                TestPaths.ModuleFolder,
                PreloadRuleTests.DependencyFiles());

            Assert.Equal(loaded, answer);
        }

        [Theory]
        [InlineData("/other/Az.Accounts/Azure.Identity.dll")]  // Az.Accounts asking for its Azure.Core
        [InlineData("")]                                       // a dynamic assembly
        public void Requests_from_anyone_else_are_left_alone(string requester)
        {
            Assert.Null(DependencyRules.ResolveOnNetFramework(
                "Azure.Core, Version=1.44.1.0, Culture=neutral, PublicKeyToken=92742159e12e44c8", requester, Array.Empty<string>(), TestPaths.ModuleFolder, PreloadRuleTests.DependencyFiles()));
        }

        [Fact]
        public void A_folder_that_merely_starts_like_ours_is_not_ours()
        {
            string folder = TestPaths.ModuleFolder.TrimEnd(Path.DirectorySeparatorChar);
            Assert.Null(DependencyRules.ResolveOnNetFramework(
                "Azure.Core, Version=1.44.1.0", folder + "Other/Azure.Identity.dll", Array.Empty<string>(), folder, PreloadRuleTests.DependencyFiles()));
        }

        [Fact]
        public void A_name_we_do_not_ship_is_left_alone()
        {
            Assert.Null(DependencyRules.ResolveOnNetFramework(
                "Newtonsoft.Json, Version=13.0.0.0", Path.Combine(TestPaths.DependencyFolder, "Azure.Core.dll"), Array.Empty<string>(), TestPaths.ModuleFolder, PreloadRuleTests.DependencyFiles()));
        }

        private sealed record Mismatch(string Requester, string Requested);

        /// <summary>Every reference of every assembly we ship whose version differs from our file of that name.</summary>
        private static List<Mismatch> FindMismatches()
        {
            string[] ours = Directory.GetFiles(TestPaths.ModuleFolder, "*.dll").Concat(PreloadRuleTests.DependencyFiles()).ToArray();
            Dictionary<string, Version> shipped = PreloadRuleTests.DependencyFiles()
                .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => PreloadRuleTests.VersionOf(f)!, StringComparer.OrdinalIgnoreCase);
            var found = new List<Mismatch>();
            foreach (string file in ours)
            {
                using var pe = new PEReader(File.OpenRead(file));
                MetadataReader md = pe.GetMetadataReader();
                foreach (AssemblyReferenceHandle handle in md.AssemblyReferences)
                {
                    AssemblyName reference = md.GetAssemblyReference(handle).GetAssemblyName();
                    if (shipped.TryGetValue(reference.Name!, out Version? version) && reference.Version != version)
                    {
                        found.Add(new Mismatch(file, reference.FullName));
                    }
                }
            }

            Assert.NotEmpty(found);
            return found;
        }
    }
}
