using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Dumps.Zip
{
    /// <summary>
    /// Reads a zip front to back as it arrives: local file headers, each entry's data, its data descriptor. No seeking
    /// and no copy of the archive (System.IO.Compression's ZipArchive needs a seekable stream, so a stream would be
    /// copied whole first). Kudu writes its dump zip with .NET's ZipArchive onto the response: every entry deflated,
    /// CRC-32 and sizes in a data descriptor after the data (4-byte sizes, or 8-byte ones past 4 GiB though the header
    /// has no Zip64 field), then the central directory, which is only drained here (the wire's end check reads it).
    /// </summary>
    internal sealed class ZipStreamReader
    {
        private const uint LocalHeader = 0x04034b50;
        private const uint CentralHeader = 0x02014b50;
        private const uint EndRecord = 0x06054b50;
        private const uint Zip64EndRecord = 0x06064b50;
        private const uint DescriptorSignature = 0x08074b50;
        private const int LocalHeaderSize = 30;

        // Names and extra fields beyond this are no zip of Kudu's; nor is a central directory this long.
        private const int MaxHeaderTail = 8 * 1024;
        private const long MaxTrailer = 64L * 1024 * 1024;

        private readonly ZipSource _source;
        private readonly string _host;

        public ZipStreamReader(Stream wire, string host)
        {
            _source = new ZipSource(wire);
            _host = host;
        }

        internal ZipSource Source => _source;

        /// <summary>The next entry's header, or null where the central directory begins.</summary>
        public async Task<ZipEntry?> NextEntryAsync(CancellationToken cancellationToken)
        {
            long at = _source.Position;
            if (!await _source.EnsureAsync(4, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated($"at offset {at:N0}, where the next entry or the central directory begins");
            }

            uint signature = U32(_source.Buffer, _source.Offset);
            if (signature == CentralHeader || signature == EndRecord || signature == Zip64EndRecord)
            {
                return null;
            }

            if (signature != LocalHeader)
            {
                throw Corrupt($"At offset {at:N0} the zip from {_host} has neither an entry nor its central directory (it reads {signature:X8}).");
            }

            if (!await _source.EnsureAsync(LocalHeaderSize, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated($"inside the header of an entry at offset {at:N0}");
            }

            byte[] b = _source.Buffer;
            int o = _source.Offset;
            int flags = U16(b, o + 6);
            int nameLength = U16(b, o + 26);
            int extraLength = U16(b, o + 28);
            if (nameLength + extraLength > MaxHeaderTail)
            {
                throw Corrupt($"The entry at offset {at:N0} of the zip from {_host} has a {nameLength + extraLength:N0}-byte name and extra field: not a zip Kudu writes.");
            }

            if (!await _source.EnsureAsync(LocalHeaderSize + nameLength + extraLength, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated($"inside the header of an entry at offset {at:N0}");
            }

            b = _source.Buffer;
            o = _source.Offset;
            var entry = new ZipEntry
            {
                Name = Encoding.UTF8.GetString(b, o + LocalHeaderSize, nameLength),
                Method = U16(b, o + 8),
                HasDataDescriptor = (flags & 0x8) != 0,
                Crc32 = U32(b, o + 14),
                CompressedSize = U32(b, o + 18),
                UncompressedSize = U32(b, o + 22),
            };
            ReadZip64(entry, b, o + LocalHeaderSize + nameLength, extraLength);
            _source.Skip(LocalHeaderSize + nameLength + extraLength);
            entry.DataOffset = _source.Position;

            if ((flags & 0x1) != 0)
            {
                throw Corrupt($"{entry.Display} in the zip from {_host} is encrypted: not a zip Kudu writes.");
            }

            if (entry.Method != 0 && entry.Method != 8)
            {
                throw Corrupt($"{entry.Display} in the zip from {_host} uses compression method {entry.Method}; only deflate and stored are read.");
            }

            if (entry.Method == 0 && entry.HasDataDescriptor)
            {
                throw Corrupt($"{entry.Display} in the zip from {_host} is stored with its size only after the data: it cannot be read as it streams.");
            }

            return entry;
        }

        /// <summary>The entry's content; read it to its end (a read that returns 0), which checks CRC-32 and sizes.</summary>
        public ZipEntryStream Open(ZipEntry entry) => new ZipEntryStream(this, entry);

        /// <summary>Reads the central directory and whatever follows it to the end of the wire.</summary>
        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            long start = _source.Position;
            var sink = new byte[64 * 1024];
            while (await _source.ReadAsync(sink, 0, sink.Length, cancellationToken).ConfigureAwait(false) > 0)
            {
                if (_source.Position - start > MaxTrailer)
                {
                    throw Corrupt($"The zip from {_host} goes on for more than {MaxTrailer / 1048576} MiB after its last entry: not a zip Kudu writes.");
                }
            }
        }

        /// <summary>
        /// The entry's data ended (the inflater finished, or a stored entry's size was read): finds where it really
        /// ended and checks CRC-32 and both sizes against the data descriptor (or the header), leaving the source at
        /// the next header.
        /// </summary>
        internal async Task EndEntryAsync(ZipEntry entry, uint crc, long uncompressed, CancellationToken cancellationToken)
        {
            if (!entry.HasDataDescriptor)
            {
                long end = entry.DataOffset + entry.CompressedSize;
                if (end > _source.Position || end < _source.EarliestKept)
                {
                    throw Corrupt($"{entry.Display} in the zip from {_host} does not end where its header says ({entry.CompressedSize:N0} compressed bytes).");
                }

                _source.Rewind(end);
                Check(entry, entry.Crc32, crc, entry.UncompressedSize, uncompressed, "header");
                return;
            }

            // The inflater stopped somewhere in what it was handed: the descriptor is where the compressed size it
            // states is the distance from the data's start, its uncompressed size and CRC-32 are what came out.
            long handed = _source.Position;
            long low = Math.Max(entry.DataOffset, Math.Max(_source.EarliestKept, handed - ZipSource.RewindReach));
            _source.Rewind(low);
            int span = (int)(handed - low);
            bool whole = await _source.EnsureAsync(span + 24, cancellationToken).ConfigureAwait(false);
            byte[] b = _source.Buffer;
            int o = _source.Offset;
            int available = _source.Available;
            int? wrongCrcAt = null;
            uint wrongCrc = 0;
            for (int i = 0; i <= span; i++)
            {
                long compressed = low + i - entry.DataOffset;
                bool signed = available - i >= 4 && U32(b, o + i) == DescriptorSignature;
                int fields = signed ? i + 4 : i;
                int length = SizesMatch(b, o + fields, available - fields, compressed, uncompressed);
                if (length == 0)
                {
                    continue;
                }

                uint stated = U32(b, o + fields);
                if (stated != crc)
                {
                    wrongCrcAt ??= i;
                    wrongCrc = stated;
                    continue;
                }

                _source.Rewind(low + fields + length);
                return;
            }

            if (wrongCrcAt != null)
            {
                throw Corrupt($"{entry.Display} in the zip from {_host} fails its check: its data gives CRC-32 {crc:X8}, its data descriptor says {wrongCrc:X8}. The archive is corrupt and was discarded; ask for the dump again.");
            }

            if (!whole)
            {
                throw Truncated($"at the end of {entry.Display}, before its data descriptor");
            }

            throw Corrupt($"{entry.Display} in the zip from {_host} has no data descriptor after its data ({uncompressed:N0} bytes unpacked): its CRC-32 and sizes cannot be checked. The archive is corrupt and was discarded; ask for the dump again.");
        }

        internal KuduException Truncated(string where) => new KuduException(KuduErrorKind.DumpIncomplete,
            $"The zip from {_host} ended after {_source.Position:N0} bytes, {where}. The connection closed early; the archive is incomplete and was discarded. Ask for the dump again.");

        internal static KuduException Corrupt(string message) => new KuduException(KuduErrorKind.DumpCorrupt, message);

        private void Check(ZipEntry entry, uint statedCrc, uint crc, long statedSize, long size, string where)
        {
            if (statedSize != size)
            {
                throw Corrupt($"{entry.Display} in the zip from {_host} unpacked to {size:N0} bytes, but its {where} says {statedSize:N0}. The archive is corrupt and was discarded; ask for the dump again.");
            }

            if (statedCrc != crc)
            {
                throw Corrupt($"{entry.Display} in the zip from {_host} fails its check: its data gives CRC-32 {crc:X8}, its {where} says {statedCrc:X8}. The archive is corrupt and was discarded; ask for the dump again.");
            }
        }

        /// <summary>The length of the CRC and size fields at <paramref name="at"/> when they state these sizes (4- or 8-byte), else 0.</summary>
        private static int SizesMatch(byte[] b, int at, int room, long compressed, long uncompressed)
        {
            if (room >= 12 && compressed <= uint.MaxValue && uncompressed <= uint.MaxValue
                && U32(b, at + 4) == compressed && U32(b, at + 8) == uncompressed)
            {
                return 12;
            }

            if (room >= 20 && U64(b, at + 4) == (ulong)compressed && U64(b, at + 12) == (ulong)uncompressed)
            {
                return 20;
            }

            return 0;
        }

        private static void ReadZip64(ZipEntry entry, byte[] b, int at, int length)
        {
            int end = at + length;
            while (at + 4 <= end)
            {
                int id = U16(b, at);
                int size = U16(b, at + 2);
                int field = at + 4;
                if (id == 0x0001 && field + size <= end)
                {
                    entry.Zip64 = true;
                    if (entry.UncompressedSize == uint.MaxValue && field + 8 <= end)
                    {
                        entry.UncompressedSize = (long)Math.Min(U64(b, field), long.MaxValue);
                        field += 8;
                    }

                    if (entry.CompressedSize == uint.MaxValue && field + 8 <= end)
                    {
                        entry.CompressedSize = (long)Math.Min(U64(b, field), long.MaxValue);
                    }
                }

                at += 4 + size;
            }
        }

        private static ushort U16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);

        private static uint U32(byte[] b, int at) => (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

        private static ulong U64(byte[] b, int at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;
    }
}
