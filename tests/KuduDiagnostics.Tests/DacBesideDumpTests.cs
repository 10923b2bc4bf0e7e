using System;
using System.IO;
using KuduDiagnostics.Analysis;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>The DAC that came with a dump (-Compress keeps Kudu's in &lt;dump&gt;.dac) is the first one tried.</summary>
    public sealed class DacBesideDumpTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "kudu-dac-" + Guid.NewGuid().ToString("n"));

        public DacBesideDumpTests() => Directory.CreateDirectory(_folder);

        [Fact]
        public void The_dac_folder_beside_the_dump_comes_before_the_machine_and_symbol_folders()
        {
            string dump = Path.Combine(_folder, "contoso_1a2b3c_w3wp_4100_20261125T120102.345Z_full.dmp");
            string symbols = Path.Combine(_folder, "symbols");
            Directory.CreateDirectory(symbols);
            File.WriteAllBytes(Path.Combine(symbols, "mscordacwks.dll"), new byte[] { 0x4D, 0x5A });
            var query = new DacQuery { RuntimeModulePath = @"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clr.dll", DacFileName = "mscordacwks.dll", IndexTimeStamp = 0x5E7A1B2C, IndexFileSize = 0xA3C000, Version = "4.8.4645.0", DumpPath = dump, SymbolFolders = new[] { symbols } };
            Assert.Null(DacLocator.Find(query)); // no clr.dll beside the symbol folder's DAC to prove it matches

            Directory.CreateDirectory(dump + ".dac");
            File.WriteAllBytes(Path.Combine(dump + ".dac", "mscordacwks.dll"), new byte[] { 0x4D, 0x5A });

            Assert.Equal(Path.Combine(dump + ".dac", "mscordacwks.dll"), DacLocator.Find(query));
            query.DacFileName = "mscordaccore.dll";
            Assert.Null(DacLocator.Find(query)); // .NET (Core) on Windows needs another DAC than the one Kudu packs
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
