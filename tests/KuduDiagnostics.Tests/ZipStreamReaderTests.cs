using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps.Zip;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// The forward-only zip reader on archives written the way Kudu writes its dump zip: .NET's ZipArchive onto a
    /// stream it cannot seek (entries deflated, data descriptors after the data), read back through a wire that
    /// hands out a few bytes at a time, then broken the ways a connection or a server can break them.
    /// </summary>
    public sealed class ZipStreamReaderTests
    {
        [Theory]
        [InlineData(1 << 20)]
        [InlineData(7)]
        public async Task Reads_every_entry_of_a_streamed_archive_as_written(int wireReadSize)
        {
            var files = KuduLikeFiles();
            byte[] archive = StreamedArchive(files);

            var read = await ReadAllAsync(archive, wireReadSize);

            Assert.Equal(files.Select(f => f.Name), read.Select(f => f.Name));
            for (int i = 0; i < files.Count; i++)
            {
                Assert.Equal(files[i].Bytes, read[i].Bytes);
            }
        }

        [Fact]
        public async Task An_archive_with_a_flipped_descriptor_crc_is_corrupt()
        {
            byte[] archive = StreamedArchive(KuduLikeFiles());
            int descriptor = IndexOf(archive, new byte[] { 0x50, 0x4B, 0x07, 0x08 }, 0);
            archive[descriptor + 4] ^= 0xFF;

            var ex = await Assert.ThrowsAsync<KuduException>(() => ReadAllAsync(archive, 4096));

            Assert.Equal(KuduErrorKind.DumpCorrupt, ex.Kind);
            Assert.Contains("'minidump.dmp' in the zip from kudu.test fails its check: its data gives CRC-32", ex.Message);
        }

        [Fact]
        public async Task An_entry_without_its_data_descriptor_is_corrupt()
        {
            byte[] archive = StreamedArchive(KuduLikeFiles());
            int descriptor = IndexOf(archive, new byte[] { 0x50, 0x4B, 0x07, 0x08 }, 0);
            byte[] cut = archive.Take(descriptor).Concat(archive.Skip(descriptor + 16)).ToArray();

            var ex = await Assert.ThrowsAsync<KuduException>(() => ReadAllAsync(cut, 4096));

            Assert.Equal(KuduErrorKind.DumpCorrupt, ex.Kind);
            Assert.Contains("has no data descriptor after its data", ex.Message);
        }

        [Fact]
        public async Task An_archive_cut_anywhere_is_never_read_whole()
        {
            byte[] archive = StreamedArchive(KuduLikeFiles());
            int lastEntryEnd = IndexOf(archive, new byte[] { 0x50, 0x4B, 0x01, 0x02 }, 0);
            foreach (int length in new[] { 0, 3, 20, 100, 40_000, lastEntryEnd - 30, lastEntryEnd - 1 })
            {
                var ex = await Assert.ThrowsAsync<KuduException>(() => ReadAllAsync(archive.Take(length).ToArray(), 1000));
                Assert.True(ex.Kind == KuduErrorKind.DumpIncomplete || ex.Kind == KuduErrorKind.DumpCorrupt, $"cut at {length}: {ex.Kind} {ex.Message}");
            }
        }

        [Fact]
        public async Task Reads_a_data_descriptor_with_eight_byte_sizes_as_dotnet_writes_past_4_GiB()
        {
            // .NET's ZipArchive writes 8-byte sizes in the descriptor of an entry over 4 GiB although its header has no
            // Zip64 field; an archive that size is too big for a unit test, so the same layout is made by hand.
            byte[] content = Compressible(200_000, 3);
            byte[] deflated = Deflate(content);
            var zip = new MemoryStream();
            var w = new BinaryWriter(zip);
            w.Write(0x04034b50u); w.Write((ushort)20); w.Write((ushort)0x8); w.Write((ushort)8); w.Write(0u);
            w.Write(0u); w.Write(0u); w.Write(0u);
            byte[] name = Encoding.ASCII.GetBytes("minidump.dmp");
            w.Write((ushort)name.Length); w.Write((ushort)0); w.Write(name);
            w.Write(deflated);
            w.Write(0x08074b50u); w.Write(Crc(content)); w.Write((long)deflated.Length); w.Write((long)content.Length);
            w.Write(0x02014b50u);
            w.Flush();

            var read = await ReadAllAsync(zip.ToArray(), 333);

            Assert.Single(read);
            Assert.Equal(content, read[0].Bytes);
        }

        [Fact]
        public async Task Reads_an_empty_file_stored_without_a_descriptor()
        {
            var files = new List<(string Name, byte[] Bytes)> { ("minidump.dmp", Compressible(10_000, 1)), ("empty.txt", new byte[0]) };

            var read = await ReadAllAsync(StreamedArchive(files), 64);

            Assert.Equal(new byte[0], read[1].Bytes);
        }

        internal static List<(string Name, byte[] Bytes)> KuduLikeFiles() => new List<(string, byte[])>
        {
            ("minidump.dmp", Compressible(3 * 1024 * 1024 + 17, 1)),
            ("sos.dll", Compressible(300_000, 2)),
            ("mscordacwks.dll", Random(50_000, 3)),
        };

        /// <summary>What Kudu's ZipStreamContent does: ZipArchive in Create mode on a stream that cannot seek.</summary>
        internal static byte[] StreamedArchive(IEnumerable<(string Name, byte[] Bytes)> files)
        {
            var target = new MemoryStream();
            using (var archive = new ZipArchive(new ForwardOnlyStream(target), ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach ((string name, byte[] bytes) in files)
                {
                    using Stream entry = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                    entry.Write(bytes, 0, bytes.Length);
                }
            }

            return target.ToArray();
        }

        private static async Task<List<(string Name, byte[] Bytes)>> ReadAllAsync(byte[] archive, int wireReadSize)
        {
            var reader = new ZipStreamReader(new TrickleStream(archive, wireReadSize), "kudu.test");
            var files = new List<(string, byte[])>();
            ZipEntry? entry;
            while ((entry = await reader.NextEntryAsync(CancellationToken.None)) != null)
            {
                using ZipEntryStream content = reader.Open(entry);
                var copy = new MemoryStream();
                await content.CopyToAsync(copy);
                files.Add((entry.Name, copy.ToArray()));
            }

            await reader.FinishAsync(CancellationToken.None);
            return files;
        }

        /// <summary>Like a dump: runs of zeros and repeated words among random bytes.</summary>
        internal static byte[] Compressible(int length, int seed)
        {
            var random = new Random(seed);
            var bytes = new byte[length];
            for (int i = 0; i < length; i += 64)
            {
                int kind = random.Next(4);
                for (int j = i; j < Math.Min(length, i + 64); j++)
                {
                    bytes[j] = kind == 0 ? (byte)random.Next(256) : kind == 1 ? (byte)0 : (byte)("System.String"[j % 13]);
                }
            }

            return bytes;
        }

        private static byte[] Random(int length, int seed)
        {
            var bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        private static byte[] Deflate(byte[] content)
        {
            var output = new MemoryStream();
            using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(content, 0, content.Length);
            }

            return output.ToArray();
        }

        private static uint Crc(byte[] content) => System.IO.Hashing.Crc32.HashToUInt32(content);

        internal static int IndexOf(byte[] haystack, byte[] needle, int from)
        {
            for (int i = from; i <= haystack.Length - needle.Length; i++)
            {
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>A write-only stream that cannot seek, as an HTTP response is.</summary>
        private sealed class ForwardOnlyStream : Stream
        {
            private readonly Stream _inner;

            public ForwardOnlyStream(Stream inner) => _inner = inner;

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override void Flush() => _inner.Flush();
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
        }

        /// <summary>A wire that hands out at most a few bytes per read.</summary>
        private sealed class TrickleStream : MemoryStream
        {
            private readonly int _most;

            public TrickleStream(byte[] bytes, int most) : base(bytes, writable: false) => _most = most;

            public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _most));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                base.ReadAsync(buffer, offset, Math.Min(count, _most), cancellationToken);
        }
    }
}
