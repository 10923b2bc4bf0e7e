using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>The structure of a dump says how long it must be, however the bytes are split as they stream.</summary>
    public class DumpLayoutCheckTests
    {
        /// <summary>Feeds a file in pieces of the given sizes (cycling), as reads of a socket would.</summary>
        private static DumpLayoutCheck Feed(DumpLayout layout, byte[] file, int length, params int[] pieces)
        {
            DumpLayoutCheck check = DumpLayoutCheck.For(layout);
            int at = 0, i = 0;
            while (at < length)
            {
                int n = Math.Min(pieces[i++ % pieces.Length], length - at);
                byte[] copy = new byte[n + 7];
                Buffer.BlockCopy(file, at, copy, 5, n); // an offset inside the buffer, as a sink's would be
                check.Observe(copy, 5, n, at);
                at += n;
            }

            check.Complete(length);
            return check;
        }

        /// <summary>A minidump: header, a directory of three streams, a MemoryListStream and a Memory64ListStream.</summary>
        private static byte[] Minidump(out long expected)
        {
            const int dir = 32, streams = 3, memList = dir + streams * 12, m64 = memList + 4 + 2 * 16, baseRva = m64 + 16 + 3 * 16;
            long[] ranges = { 4096, 65536, 12288 };
            expected = baseRva + ranges.Sum();
            var b = new byte[expected];
            new Random(3).NextBytes(b);
            "MDMP"u8.ToArray().CopyTo(b, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), streams);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), dir);
            // ThreadListStream (3) somewhere small, MemoryListStream (5), Memory64ListStream (9).
            WriteEntry(b, dir, 3, 100, 200);
            WriteEntry(b, dir + 12, 5, 4 + 2 * 16, memList);
            WriteEntry(b, dir + 24, 9, 16 + 3 * 16, m64);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(memList), 2);
            // Two 32-bit ranges inside the memory area (a mini dump's stacks).
            WriteMemory32(b, memList + 4, 64, baseRva);
            WriteMemory32(b, memList + 20, 128, baseRva + 100);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(m64), (ulong)ranges.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(m64 + 8), baseRva);
            for (int i = 0; i < ranges.Length; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(m64 + 16 + i * 16), 0x10000UL * (ulong)(i + 1));
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(m64 + 16 + i * 16 + 8), (ulong)ranges[i]);
            }

            return b;
        }

        private static void WriteEntry(byte[] b, int at, uint type, uint size, uint rva)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), type);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 4), size);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 8), rva);
        }

        private static void WriteMemory32(byte[] b, int at, uint size, uint rva)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), 0x7000);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 8), size);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 12), rva);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(32, 1, 4096)]
        [InlineData(65536)]
        [InlineData(1 << 22)]
        public void Minidump_length_comes_from_its_memory64_ranges_however_it_is_split(params int[] pieces)
        {
            byte[] file = Minidump(out long expected);

            DumpLayoutCheck check = Feed(DumpLayout.Minidump, file, file.Length, pieces);

            Assert.Equal(expected, check.RequiredLength);
            Assert.Null(check.Unverified);
        }

        [Fact]
        public void A_minidump_cut_anywhere_is_short()
        {
            byte[] file = Minidump(out long expected);
            foreach (int cut in new[] { 10, 40, 120, 300, (int)expected - 1 })
            {
                DumpLayoutCheck check = Feed(DumpLayout.Minidump, file, cut, 4096);
                Assert.True(check.RequiredLength > cut, $"a minidump cut at {cut} bytes must be short");
            }
        }

        [Fact]
        public void The_emulators_minidump_header_says_the_emulators_length()
        {
            foreach (long length in new[] { 76L, 1 << 20, 3145851L })
            {
                byte[] file = new byte[Math.Min(length, 1 << 20)];
                KuduEmulatorHeader(length).CopyTo(file, 0);
                DumpLayoutCheck check = DumpLayoutCheck.For(DumpLayout.Minidump);
                check.Observe(file, 0, file.Length, 0);
                Assert.Equal(length, check.RequiredLength);
            }
        }

        /// <summary>The emulator's own header writer (its dumps are what every end-to-end test saves).</summary>
        private static byte[] KuduEmulatorHeader(long length) => (byte[])System.Reflection.Assembly.LoadFrom(EmulatorFixture.EmulatorPath())
            .GetType("KuduEmulator.DumpContent", throwOnError: true)!.GetMethod("MinidumpHeader")!.Invoke(null, new object[] { length })!;

        /// <summary>An ELF64 core: header, <paramref name="segments"/> program headers, then their data.</summary>
        private static byte[] ElfCore(int segments, bool extendedNumbering, out long expected)
        {
            const int phoff = 64, entry = 56;
            long data = phoff + segments * entry;
            long[] sizes = Enumerable.Range(0, segments).Select(i => 1000L + i * 333).ToArray();
            expected = data + sizes.Sum();
            var b = new byte[expected];
            new Random(5).NextBytes(b);
            new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0 }.CopyTo(b, 0);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 4); // ET_CORE
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0x20), phoff);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0x28), 0);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x36), entry);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x38), extendedNumbering ? (ushort)0xFFFF : (ushort)segments);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x3A), 64);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x3C), 0);
            long offset = data;
            for (int i = 0; i < segments; i++)
            {
                int at = phoff + i * entry;
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), i == 0 ? 4u : 1u); // PT_NOTE, then PT_LOAD
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 8), (ulong)offset);
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 32), (ulong)sizes[i]);
                offset += sizes[i];
            }

            return b;
        }

        [Theory]
        [InlineData(false, 1)]
        [InlineData(false, 4096)]
        [InlineData(true, 13)]
        [InlineData(true, 1 << 20)]
        public void Elf_core_length_comes_from_its_program_headers(bool extendedNumbering, int piece)
        {
            byte[] file = ElfCore(40, extendedNumbering, out long expected);

            DumpLayoutCheck check = Feed(DumpLayout.ElfCore, file, file.Length, piece);

            Assert.Equal(expected, check.RequiredLength);
            Assert.True(Feed(DumpLayout.ElfCore, file, file.Length - 1, piece).RequiredLength > file.Length - 1);
        }

        [Fact]
        public void Zip_is_whole_only_with_its_end_of_central_directory()
        {
            var zip = new MemoryStream();
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            {
                var random = new Random(9);
                foreach (string name in new[] { "minidump.dmp", "sos.dll" })
                {
                    byte[] content = new byte[200_000];
                    random.NextBytes(content);
                    using Stream s = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                    s.Write(content, 0, content.Length);
                }
            }

            byte[] file = zip.ToArray();
            Assert.Equal(file.Length, Feed(DumpLayout.Zip, file, file.Length, 4096, 3).RequiredLength);
            foreach (int cut in new[] { 100, file.Length / 2, file.Length - 30, file.Length - 1 })
            {
                Assert.True(Feed(DumpLayout.Zip, file, cut, 4096).RequiredLength > cut, $"a zip cut at {cut} bytes must be short");
            }
        }
    }
}
