namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// A minidump's length from its own directory: every stream's RVA plus size, each MemoryListStream range, and
    /// the Memory64ListStream's BaseRva plus the sizes of all its ranges (a full dump's memory, written last).
    /// </summary>
    internal sealed class MinidumpLayoutCheck : DumpLayoutCheck
    {
        private const int HeaderSize = 32;
        private const int DirectoryEntrySize = 12;
        private const uint MemoryListStream = 5;
        private const uint Memory64ListStream = 9;

        // Real dumps have a few dozen streams; a header that claims more is not a minidump header.
        private const uint MaxStreams = 4096;

        public MinidumpLayoutCheck()
        {
            Want(0, HeaderSize, Header);
        }

        public override string StructureName => "minidump header and stream directory";

        private void Header(byte[] header)
        {
            uint streams = U32(header, 8);
            uint directory = U32(header, 12);
            if (streams > MaxStreams)
            {
                Unverified ??= $"the header claims {streams:N0} streams";
                return;
            }

            Want(directory, streams * DirectoryEntrySize, Directory);
        }

        private void Directory(byte[] entries)
        {
            for (int at = 0; at + DirectoryEntrySize <= entries.Length; at += DirectoryEntrySize)
            {
                uint type = U32(entries, at);
                uint size = U32(entries, at + 4);
                uint rva = U32(entries, at + 8);
                if (size == 0)
                {
                    continue;
                }

                Require((long)rva + size);
                if (type == Memory64ListStream && size >= 16)
                {
                    Want(rva, 16, list => Memory64List(rva, list));
                }
                else if (type == MemoryListStream && size >= 4)
                {
                    // MINIDUMP_MEMORY_LIST is packed: a 4-byte count then 16-byte descriptors; some writers pad to 8.
                    Want(rva, size, MemoryList);
                }
            }
        }

        private void MemoryList(byte[] list)
        {
            uint count = U32(list, 0);
            int first = list.Length == 8 + count * 16L ? 8 : 4;
            for (long at = first; at + 16 <= list.Length && (at - first) / 16 < count; at += 16)
            {
                uint size = U32(list, (int)at + 8);
                uint rva = U32(list, (int)at + 12);
                Require((long)rva + size);
            }
        }

        private void Memory64List(uint rva, byte[] header)
        {
            long count = Clamp(U64(header, 0));
            long baseRva = Clamp(U64(header, 8));
            Require(baseRva);
            Want(rva + 16L, count * 16, descriptors =>
            {
                long total = baseRva;
                for (int at = 0; at + 16 <= descriptors.Length; at += 16)
                {
                    total += Clamp(U64(descriptors, at + 8));
                }

                Require(total);
            });
        }
    }
}
