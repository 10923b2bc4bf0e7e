using System;
using System.IO;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Analysis
{
    /// <summary>
    /// The little of ELF the analysis needs (64-bit, little-endian: every Linux App Service worker): a library's
    /// GNU build-id, to know that the libcoreclr.so on this machine is the very build in the dump, and how long a
    /// core must be to hold every segment its headers describe, to know it was not cut short.
    /// </summary>
    internal static class ElfFile
    {
        public const ushort TypeCore = 4;
        private const uint PtLoad = 1;
        private const uint PtNote = 4;
        private const uint NtGnuBuildId = 3;
        private const ushort PnXNum = 0xFFFF;
        private const int HeaderSize = 64;
        private const int ProgramHeaderSize = 56;
        private const long MaxNoteSize = 1 << 20;
        private const uint MaxSegments = 4_000_000;

        /// <summary>The GNU build-id of an ELF file, or null when it is not a readable 64-bit ELF or has none.</summary>
        public static byte[]? ReadBuildId(string path)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                return ReadBuildId(stream);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static byte[]? ReadBuildId(Stream stream)
        {
            Header? header = ReadHeader(stream);
            if (header == null)
            {
                return null;
            }

            foreach (Segment segment in ReadSegments(stream, header))
            {
                if (segment.Type == PtNote && segment.FileSize <= MaxNoteSize && segment.Offset + segment.FileSize <= (ulong)stream.Length)
                {
                    byte[] notes = FileBytes.ReadAt(stream, (long)segment.Offset, (int)segment.FileSize);
                    byte[]? id = FindBuildId(notes);
                    if (id != null)
                    {
                        return id;
                    }
                }
            }

            return null;
        }

        /// <summary>e_type (4 for a core, 3 for a shared library) of a 64-bit little-endian ELF; null otherwise.</summary>
        public static ushort? ReadType(Stream stream) => ReadHeader(stream)?.Type;

        /// <summary>
        /// For a 64-bit ELF core: the length the file must have to hold its program headers and every segment's
        /// bytes. Null when the stream is not such a core (then nothing can be said about truncation here).
        /// </summary>
        public static long? RequiredCoreLength(Stream stream)
        {
            Header? header = ReadHeader(stream);
            if (header == null || header.Type != TypeCore)
            {
                return null;
            }

            ulong required = header.ProgramHeaderOffset + (ulong)header.ProgramHeaderCount * ProgramHeaderSize;
            if (required > (ulong)stream.Length)
            {
                return (long)Math.Min(required, long.MaxValue);
            }

            foreach (Segment segment in ReadSegments(stream, header))
            {
                if (segment.Type == PtLoad || segment.Type == PtNote)
                {
                    ulong segmentEnd = segment.FileSize > ulong.MaxValue - segment.Offset ? ulong.MaxValue : segment.Offset + segment.FileSize;
                    required = Math.Max(required, segmentEnd);
                }
            }

            return (long)Math.Min(required, long.MaxValue);
        }

        private static Header? ReadHeader(Stream stream)
        {
            if (stream.Length < HeaderSize)
            {
                return null;
            }

            byte[] h = FileBytes.ReadAt(stream, 0, HeaderSize);
            // ELFCLASS64 and ELFDATA2LSB only; a 32-bit or big-endian file is not one we can check.
            if (!DumpSignatures.IsElf(h, h.Length) || h[4] != 2 || h[5] != 1 || BitConverter.ToUInt16(h, 54) != ProgramHeaderSize)
            {
                return null;
            }

            var header = new Header
            {
                Type = BitConverter.ToUInt16(h, 16),
                ProgramHeaderOffset = BitConverter.ToUInt64(h, 32),
                ProgramHeaderCount = BitConverter.ToUInt16(h, 56),
            };

            ulong sectionOffset = BitConverter.ToUInt64(h, 40);
            if (header.ProgramHeaderCount == PnXNum && sectionOffset > 0 && sectionOffset + 64 <= (ulong)stream.Length)
            {
                // More than 65534 segments: the real count is in the first section header's sh_info.
                header.ProgramHeaderCount = BitConverter.ToUInt32(FileBytes.ReadAt(stream, (long)sectionOffset, 64), 44);
            }

            return header;
        }

        private static Segment[] ReadSegments(Stream stream, Header header)
        {
            ulong end = header.ProgramHeaderOffset + (ulong)header.ProgramHeaderCount * ProgramHeaderSize;
            if (end > (ulong)stream.Length || header.ProgramHeaderCount > MaxSegments)
            {
                return Array.Empty<Segment>();
            }

            byte[] table = FileBytes.ReadAt(stream, (long)header.ProgramHeaderOffset, (int)(header.ProgramHeaderCount * ProgramHeaderSize));
            var segments = new Segment[header.ProgramHeaderCount];
            for (int i = 0; i < segments.Length; i++)
            {
                int at = i * ProgramHeaderSize;
                segments[i] = new Segment(BitConverter.ToUInt32(table, at), BitConverter.ToUInt64(table, at + 8), BitConverter.ToUInt64(table, at + 32));
            }

            return segments;
        }

        /// <summary>Notes are (namesz, descsz, type, name padded to 4, desc padded to 4); the build-id's name is "GNU\0".</summary>
        internal static byte[]? FindBuildId(byte[] notes)
        {
            int at = 0;
            while (at + 12 <= notes.Length)
            {
                uint nameSize = BitConverter.ToUInt32(notes, at);
                uint descSize = BitConverter.ToUInt32(notes, at + 4);
                uint type = BitConverter.ToUInt32(notes, at + 8);
                long nameAt = at + 12;
                long descAt = nameAt + Align4(nameSize);
                long next = descAt + Align4(descSize);
                if (next > notes.Length)
                {
                    return null;
                }

                if (type == NtGnuBuildId && nameSize == 4 && notes[nameAt] == 'G' && notes[nameAt + 1] == 'N' && notes[nameAt + 2] == 'U' && descSize > 0)
                {
                    var id = new byte[descSize];
                    Array.Copy(notes, descAt, id, 0, descSize);
                    return id;
                }

                at = (int)next;
            }

            return null;
        }

        private static long Align4(uint size) => (size + 3L) & ~3L;

        private sealed class Header
        {
            public ushort Type;
            public ulong ProgramHeaderOffset;
            public uint ProgramHeaderCount;
        }

        private readonly struct Segment
        {
            public Segment(uint type, ulong offset, ulong fileSize)
            {
                Type = type;
                Offset = offset;
                FileSize = fileSize;
            }

            public uint Type { get; }
            public ulong Offset { get; }
            public ulong FileSize { get; }
        }
    }
}
