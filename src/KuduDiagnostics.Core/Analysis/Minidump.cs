using System;
using System.IO;

namespace KuduDiagnostics.Analysis
{
    /// <summary>The Windows minidump header (MINIDUMP_HEADER and its stream directory), read to spot a cut-short file.</summary>
    internal static class Minidump
    {
        private const int HeaderSize = 32;
        private const int DirectoryEntrySize = 12;
        private const uint MaxStreams = 4096;

        /// <summary>The length the file needs to hold its stream directory and every stream; null when the header is unreadable.</summary>
        public static long? RequiredLength(Stream stream)
        {
            if (stream.Length < HeaderSize)
            {
                return HeaderSize;
            }

            byte[] header = FileBytes.ReadAt(stream, 0, HeaderSize);
            uint streams = BitConverter.ToUInt32(header, 8);
            uint directory = BitConverter.ToUInt32(header, 12);
            if (streams > MaxStreams)
            {
                return null; // not a header we understand; ClrMD will say more
            }

            long required = (long)directory + streams * DirectoryEntrySize;
            if (required > stream.Length)
            {
                return required;
            }

            byte[] entries = FileBytes.ReadAt(stream, directory, (int)(streams * DirectoryEntrySize));
            for (int i = 0; i < streams; i++)
            {
                long size = BitConverter.ToUInt32(entries, i * DirectoryEntrySize + 4);
                long rva = BitConverter.ToUInt32(entries, i * DirectoryEntrySize + 8);
                required = Math.Max(required, rva + size);
            }

            return required;
        }
    }
}
