using System.IO;
using System.Reflection;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// The .NET 8 host's System.Management.Automation stand-in must carry PowerShell's public key, or .NET 8 refuses
    /// it for the cmdlet assembly's reference. The key file is committed (public key only); it must stay equal to
    /// the key of the reference assembly the module compiles against.
    /// </summary>
    public class StandInKeyTests
    {
        private static string ReferenceSma => TestPaths.Package(
            "powershellstandard.library/5.1.1/lib/netstandard2.0/System.Management.Automation.dll", "src/KuduDiagnostics");

        [Fact]
        public void The_key_file_is_PowerShells_public_key()
        {
            byte[] committed = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "tests", "PowerShellStandIn", "PowerShell.public.snk"));

            Assert.Equal(AssemblyName.GetAssemblyName(ReferenceSma).GetPublicKey(), committed);
        }

        [Fact]
        public void The_built_stand_in_has_the_name_the_cmdlet_assembly_asks_for()
        {
            string standIn = Path.Combine(TestPaths.RepoRoot, "tests", "PowerShellStandIn", "bin", TestPaths.Configuration, "netstandard2.0", "System.Management.Automation.dll");
            AssemblyName reference = AssemblyName.GetAssemblyName(ReferenceSma);

            AssemblyName built = AssemblyName.GetAssemblyName(standIn);

            Assert.Equal(reference.FullName, built.FullName); // name, 3.0.0.0, neutral, token 31bf3856ad364e35
            Assert.Equal(reference.GetPublicKey(), built.GetPublicKey());
        }
    }
}
