using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using KuduDiagnostics.Analysis;
using KuduDiagnostics.Kudu;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// The analysis's own logic, without a dump: ELF build-ids and core lengths, the file checks, the runtime version
    /// from a path, and where the DAC is looked for. Real dumps are analysed in tests/Pester/DumpAnalysis.Tests.ps1.
    /// </summary>
    public class DumpAnalysisTests
    {
        private static readonly string RuntimeFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

        [Fact]
        public void Build_id_of_the_running_runtime_matches_readelfs()
        {
            string coreclr = Path.Combine(RuntimeFolder, "libcoreclr.so");
            if (!OperatingSystem.IsLinux())
            {
                Assert.Null(ElfFile.ReadBuildId(typeof(object).Assembly.Location)); // a PE file is no ELF
                return;
            }

            byte[]? ours = ElfFile.ReadBuildId(coreclr);
            Assert.NotNull(ours);
            Assert.Equal(20, ours!.Length); // SHA-1, as the .NET build writes it
            Assert.Equal(ReadElfBuildId(coreclr), DacLocator.Hex(ours));
        }

        [Fact]
        public void Build_id_is_the_GNU_note_of_type_3_whatever_comes_before_it()
        {
            byte[] id = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
            byte[] notes = Note("stapsdt", 3, new byte[] { 9, 9, 9 }).Concat(Note("GNU", 1, new byte[16])).Concat(Note("GNU", 3, id)).ToArray();
            Assert.Equal(id, ElfFile.FindBuildId(notes));
            Assert.Null(ElfFile.FindBuildId(notes.Take(notes.Length - 4).ToArray()));
            Assert.Null(ElfFile.FindBuildId(Note("GNU", 1, new byte[16])));
        }

        [Fact]
        public void A_file_that_is_not_64_bit_little_endian_ELF_has_no_build_id()
        {
            byte[] elf32 = new byte[64];
            new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 1 }.CopyTo(elf32, 0);
            Assert.Null(ElfFile.ReadBuildId(new MemoryStream(elf32)));
            Assert.Null(ElfFile.ReadBuildId(new MemoryStream(new byte[] { 1, 2, 3 })));
        }

        [Fact]
        public void A_core_must_hold_every_segment_its_headers_describe()
        {
            byte[] core = Core((1, 4096, 8192), (4, 0x200, 0x100), (1, 12288, 4096));
            Assert.Equal(16384, ElfFile.RequiredCoreLength(new MemoryStream(core)));
            Assert.Equal(ElfFile.TypeCore, ElfFile.ReadType(new MemoryStream(core)));

            string whole = Temp(core.Concat(new byte[16384 - core.Length]).ToArray(), ".core");
            Assert.Equal(DumpLayout.ElfCore, DumpFileCheck.Check(whole, OSPlatform.Linux));
            string cut = Temp(core.Concat(new byte[10000 - core.Length]).ToArray(), ".core");
            var e = Assert.Throws<DumpAnalysisException>(() => DumpFileCheck.Check(cut, OSPlatform.Linux));
            Assert.Equal(DumpAnalysisErrorKind.Truncated, e.Kind);
            Assert.Contains("10,000 bytes of the 16,384", e.Message);
        }

        [Fact]
        public void More_than_65534_segments_are_counted_from_the_first_section_header()
        {
            byte[] core = Core((1, 4096, 4096));
            BitConverter.GetBytes((ushort)0xFFFF).CopyTo(core, 56);            // e_phnum = PN_XNUM
            byte[] section = new byte[64];
            BitConverter.GetBytes(1u).CopyTo(section, 44);                   // sh_info: the real count
            BitConverter.GetBytes((ulong)core.Length).CopyTo(core, 40);      // e_shoff
            core = core.Concat(section).ToArray();
            Assert.Equal(8192, ElfFile.RequiredCoreLength(new MemoryStream(core)));
        }

        [Theory]
        [InlineData("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libcoreclr.so", "10.0.12")]
        [InlineData(@"C:\Program Files\dotnet\shared\Microsoft.NETCore.App\8.0.5\coreclr.dll", "8.0.5")]
        [InlineData("/usr/share/dotnet/shared/Microsoft.NETCore.App/9.0.0-preview.7.24405.7/libcoreclr.so", "9.0.0-preview.7.24405.7")]
        [InlineData("/home/site/wwwroot/libcoreclr.so", null)]
        [InlineData(@"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\clr.dll", null)]
        [InlineData("libcoreclr.so", null)]
        public void The_runtime_version_is_the_name_of_the_folder_that_holds_it(string path, string? version) =>
            Assert.Equal(version, DacLocator.VersionFromPath(path));

        [Theory]
        [InlineData(new byte[] { (byte)'M', (byte)'D', (byte)'M', (byte)'P', 0x93, 0xA7, 0, 0 }, "Linux", DumpAnalysisErrorKind.WrongPlatform, "Analyse it on Windows")]
        [InlineData(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0 }, "Windows", DumpAnalysisErrorKind.WrongPlatform, "Analyse it on Linux")]
        [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0 }, "Linux", DumpAnalysisErrorKind.ZipArchive, "Extract the .dmp")]
        [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, "Linux", DumpAnalysisErrorKind.NotADump, "is no dump")]
        [InlineData(new byte[0], "Linux", DumpAnalysisErrorKind.NotADump, "is empty")]
        public void Each_file_that_cannot_be_analysed_here_says_why(byte[] head, string host, DumpAnalysisErrorKind kind, string advice)
        {
            string file = Temp(head.Concat(new byte[head.Length == 0 ? 0 : 64]).ToArray(), ".dmp");
            var e = Assert.Throws<DumpAnalysisException>(() => DumpFileCheck.Check(file, OSPlatform.Create(host.ToUpperInvariant())));
            Assert.Equal(kind, e.Kind);
            Assert.Contains(advice, e.Message);
            Assert.Equal(file, e.Path);
        }

        [Fact]
        public void A_partial_file_and_a_missing_file_are_refused_before_reading()
        {
            string partial = Temp(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, ".dmp.partial");
            Assert.Equal(DumpAnalysisErrorKind.PartialFile, Assert.Throws<DumpAnalysisException>(() => DumpFileCheck.Check(partial, OSPlatform.Linux)).Kind);
            string missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n") + ".dmp");
            Assert.Equal(DumpAnalysisErrorKind.FileNotFound, Assert.Throws<DumpAnalysisException>(() => DumpFileCheck.Check(missing, OSPlatform.Linux)).Kind);
        }

        [Fact]
        public void A_minidump_must_hold_its_stream_directory_and_streams()
        {
            byte[] dump = new byte[32 + 12 + 100];
            "MDMP"u8.ToArray().CopyTo(dump, 0);
            BitConverter.GetBytes(1u).CopyTo(dump, 8);     // one stream
            BitConverter.GetBytes(32u).CopyTo(dump, 12);   // its directory right after the header
            BitConverter.GetBytes(500u).CopyTo(dump, 32 + 4); // 500 bytes ...
            BitConverter.GetBytes(44u).CopyTo(dump, 32 + 8);  // ... at 44
            Assert.Equal(544, Minidump.RequiredLength(new MemoryStream(dump)));
            string cut = Temp(dump, ".dmp");
            Assert.Equal(DumpAnalysisErrorKind.Truncated, Assert.Throws<DumpAnalysisException>(() => DumpFileCheck.Check(cut, OSPlatform.Windows)).Kind);
        }

        [LinuxFact("build-ids are ELF's, and the runtime beside the test must be one")]
        public void The_DAC_is_taken_beside_a_runtime_of_the_same_build_or_from_a_symbol_store()
        {
            string coreclr = Path.Combine(RuntimeFolder, "libcoreclr.so");
            byte[] id = ElfFile.ReadBuildId(coreclr)!;
            var query = new DacQuery { RuntimeModulePath = "/gone/Microsoft.NETCore.App/10.0.99/libcoreclr.so", BuildId = id, DacFileName = "libmscordaccore.so", Version = "10.0.99" };

            Assert.Null(DacLocator.Find(query)); // the dump's runtime folder does not exist here
            query.RuntimeModulePath = coreclr;
            Assert.Equal(Path.Combine(RuntimeFolder, "libmscordaccore.so"), DacLocator.Find(query));
            query.BuildId = id.Select(b => (byte)~b).ToArray();
            Assert.Null(DacLocator.Find(query)); // another build beside it: not taken

            string store = Path.Combine(Path.GetTempPath(), "kudu-symbols-" + Guid.NewGuid().ToString("n"));
            string key = Path.Combine(store, "libmscordaccore.so", "elf-buildid-coreclr-" + DacLocator.Hex(query.BuildId));
            Directory.CreateDirectory(key);
            File.WriteAllBytes(Path.Combine(key, "libmscordaccore.so"), new byte[] { 1 });
            query.SymbolFolders = new[] { Path.Combine(store, "missing"), store };
            Assert.Equal(Path.Combine(key, "libmscordaccore.so"), DacLocator.Find(query));

            query.DacPath = RuntimeFolder; // its libcoreclr.so is not the build the dump ran
            var e = Assert.Throws<DumpAnalysisException>(() => DacLocator.Find(query));
            Assert.Equal(DumpAnalysisErrorKind.DacMismatch, e.Kind);
            query.BuildId = id;
            Assert.Equal(Path.Combine(RuntimeFolder, "libmscordaccore.so"), DacLocator.Find(query));
            Directory.Delete(store, recursive: true);
        }

        [Fact]
        public void A_Windows_runtime_is_the_dumps_build_when_its_time_stamp_and_image_size_match()
        {
            // Any PE image stands in for coreclr.dll: the index is the PE header's, read here by the BCL's PEReader too.
            string image = typeof(object).Assembly.Location;
            using var reader = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(image));
            int stamp = reader.PEHeaders.CoffHeader.TimeDateStamp;
            int size = reader.PEHeaders.PEHeader!.SizeOfImage;
            Assert.Equal((stamp, size), PeFile.ReadIndex(image));
            Assert.Null(PeFile.ReadIndex(Temp(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, ".so")));

            string folder = Path.Combine(Path.GetTempPath(), "kudu-runtime-" + Guid.NewGuid().ToString("n"));
            Directory.CreateDirectory(folder);
            File.Copy(image, Path.Combine(folder, "coreclr.dll"));
            File.WriteAllBytes(Path.Combine(folder, "mscordaccore.dll"), new byte[] { 1 });
            var query = new DacQuery { RuntimeModulePath = Path.Combine(folder, "coreclr.dll"), IndexTimeStamp = stamp, IndexFileSize = size, DacFileName = "mscordaccore.dll", Version = "8.0.5" };
            Assert.Equal(Path.Combine(folder, "mscordaccore.dll"), DacLocator.Find(query));
            query.IndexFileSize = size + 4096;
            Assert.Null(DacLocator.Find(query));
            query.DacPath = folder;
            Assert.Equal(DumpAnalysisErrorKind.DacMismatch, Assert.Throws<DumpAnalysisException>(() => DacLocator.Find(query)).Kind);
            Directory.Delete(folder, recursive: true);
        }

        [Fact]
        public void Symbol_store_keys_follow_dotnet_symbol()
        {
            var linux = new DacQuery { DacFileName = "libmscordaccore.so", BuildId = new byte[] { 0x79, 0x94, 0x5f } };
            Assert.Equal(Path.Combine("libmscordaccore.so", "elf-buildid-coreclr-79945f", "libmscordaccore.so"), DacLocator.SymbolStoreKey(linux));
            var windows = new DacQuery { DacFileName = "mscordaccore.dll", IndexTimeStamp = 0x5F1A2B3C, IndexFileSize = 0x6E000 };
            Assert.Equal(Path.Combine("mscordaccore.dll", "5F1A2B3C6e000", "mscordaccore.dll"), DacLocator.SymbolStoreKey(windows));
        }

        /// <summary>binutils' reading of the build-id (the oracle): "Build ID: 79945f51...".</summary>
        private static string ReadElfBuildId(string path)
        {
            var start = new System.Diagnostics.ProcessStartInfo("readelf", $"-n \"{path}\"") { RedirectStandardOutput = true, UseShellExecute = false };
            using var readelf = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("readelf (binutils) is needed for this test");
            string output = readelf.StandardOutput.ReadToEnd();
            readelf.WaitForExit();
            string line = output.Split('\n').Single(l => l.Contains("Build ID:", StringComparison.Ordinal));
            return line.Substring(line.IndexOf("Build ID:", StringComparison.Ordinal) + 9).Trim();
        }

        /// <summary>One ELF note: namesz, descsz, type, name padded to 4, desc padded to 4.</summary>
        private static byte[] Note(string name, uint type, byte[] desc)
        {
            byte[] nameBytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
            int namePadded = (nameBytes.Length + 3) & ~3;
            int descPadded = (desc.Length + 3) & ~3;
            var note = new byte[12 + namePadded + descPadded];
            BitConverter.GetBytes((uint)nameBytes.Length).CopyTo(note, 0);
            BitConverter.GetBytes((uint)desc.Length).CopyTo(note, 4);
            BitConverter.GetBytes(type).CopyTo(note, 8);
            nameBytes.CopyTo(note, 12);
            desc.CopyTo(note, 12 + namePadded);
            return note;
        }

        /// <summary>An ELF64 core header and program headers (type, offset, file size), nothing else.</summary>
        private static byte[] Core(params (uint Type, ulong Offset, ulong Size)[] segments)
        {
            var bytes = new byte[64 + segments.Length * 56];
            new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }.CopyTo(bytes, 0);
            BitConverter.GetBytes((ushort)4).CopyTo(bytes, 16);      // ET_CORE
            BitConverter.GetBytes(64UL).CopyTo(bytes, 32);           // e_phoff
            BitConverter.GetBytes((ushort)56).CopyTo(bytes, 54);     // e_phentsize
            BitConverter.GetBytes((ushort)segments.Length).CopyTo(bytes, 56);
            for (int i = 0; i < segments.Length; i++)
            {
                int at = 64 + i * 56;
                BitConverter.GetBytes(segments[i].Type).CopyTo(bytes, at);
                BitConverter.GetBytes(segments[i].Offset).CopyTo(bytes, at + 8);
                BitConverter.GetBytes(segments[i].Size).CopyTo(bytes, at + 32);
            }

            return bytes;
        }

        private static string Temp(byte[] content, string extension)
        {
            string path = Path.Combine(Path.GetTempPath(), "kudu-analysis-" + Guid.NewGuid().ToString("n") + extension);
            File.WriteAllBytes(path, content);
            return path;
        }
    }
}
