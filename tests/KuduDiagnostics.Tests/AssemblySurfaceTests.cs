using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// What can be checked here for Windows PowerShell 5.1 without Windows: every assembly targets netstandard2.0
    /// (so only APIs .NET Framework 4.7.2 has), and the assemblies loaded in the default context never reference
    /// the Azure SDK, so no Azure type can reach the public surface or clash with Az.Accounts.
    /// </summary>
    public class AssemblySurfaceTests
    {
        public static TheoryData<string> Assemblies => new TheoryData<string> { "KuduDiagnostics", "KuduDiagnostics.Model", "KuduDiagnostics.Core" };

        [Theory]
        [MemberData(nameof(Assemblies))]
        public void Targets_netstandard2_0(string name)
        {
            using var pe = new PEReader(File.OpenRead(PathOf(name)));
            MetadataReader md = pe.GetMetadataReader();
            string? framework = md.CustomAttributes.Select(h => md.GetCustomAttribute(h))
                .Where(a => AttributeName(md, a) == "TargetFrameworkAttribute")
                .Select(a => FirstStringArgument(md, a))
                .FirstOrDefault();

            Assert.Equal(".NETStandard,Version=v2.0", framework);
            Assert.Contains("netstandard", References(md));
        }

        [Theory]
        [InlineData("KuduDiagnostics", new[] { "netstandard", "System.Management.Automation", "KuduDiagnostics.Model", "KuduDiagnostics.Core" })]
        [InlineData("KuduDiagnostics.Model", new[] { "netstandard" })]
        public void Default_context_assemblies_reference_no_Azure_SDK(string name, string[] allowed)
        {
            using var pe = new PEReader(File.OpenRead(PathOf(name)));
            string[] references = References(pe.GetMetadataReader());

            Assert.Empty(references.Except(allowed));
        }

        private static string[] References(MetadataReader md) =>
            md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToArray();

        private static string AttributeName(MetadataReader md, CustomAttribute attribute)
        {
            if (attribute.Constructor.Kind == HandleKind.MemberReference)
            {
                var ctor = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
                if (ctor.Parent.Kind == HandleKind.TypeReference)
                {
                    return md.GetString(md.GetTypeReference((TypeReferenceHandle)ctor.Parent).Name);
                }
            }

            return string.Empty;
        }

        private static string? FirstStringArgument(MetadataReader md, CustomAttribute attribute)
        {
            BlobReader blob = md.GetBlobReader(attribute.Value);
            blob.ReadUInt16(); // prolog
            return blob.ReadSerializedString();
        }

        private static string PathOf(string name)
        {
            // tests/KuduDiagnostics.Tests/bin/<Configuration>/net10.0 -> src/<project>/bin/<Configuration>/netstandard2.0
            var here = new DirectoryInfo(AppContext.BaseDirectory);
            string configuration = here.Parent!.Name;
            string root = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", name, "bin", configuration, "netstandard2.0", name + ".dll");
        }
    }
}
