namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// An ELF core's length from its program headers (the largest p_offset + p_filesz) and its section headers
    /// when it has any. Little-endian ELF32 and ELF64, which covers x64 and arm64 Linux.
    /// </summary>
    internal sealed class ElfCoreLayoutCheck : DumpLayoutCheck
    {
        // e_phnum's escape value: the real count is in section header 0, which cores write after their data.
        private const ushort ExtendedNumbering = 0xFFFF;

        private bool _is64;
        private long _dataStart = long.MaxValue;
        private int _entrySize;

        public ElfCoreLayoutCheck()
        {
            Want(0, 64, Header);
        }

        public override string StructureName => "ELF program headers";

        private void Header(byte[] h)
        {
            if (h[5] != 1)
            {
                Unverified ??= "the core is not little-endian";
                return;
            }

            _is64 = h[4] == 2;
            long phoff = _is64 ? Clamp(U64(h, 0x20)) : U32(h, 0x1C);
            long shoff = _is64 ? Clamp(U64(h, 0x28)) : U32(h, 0x20);
            _entrySize = U16(h, _is64 ? 0x36 : 0x2A);
            ushort phnum = U16(h, _is64 ? 0x38 : 0x2C);
            ushort shentsize = U16(h, _is64 ? 0x3A : 0x2E);
            ushort shnum = U16(h, _is64 ? 0x3C : 0x30);
            if (shoff > 0)
            {
                // With extended numbering e_shnum is 0 and one section header (index 0) still exists.
                Require(shoff + (long)shentsize * (shnum == 0 ? 1 : shnum));
            }

            if (_entrySize < (_is64 ? 56 : 32) || phoff == 0)
            {
                return;
            }

            if (phnum == ExtendedNumbering)
            {
                // The count is at the file's end; read headers one by one until the first segment's data begins.
                Want(phoff, _entrySize, entry => NextEntry(phoff, entry));
                return;
            }

            Want(phoff, (long)phnum * _entrySize, table =>
            {
                for (int at = 0; at + _entrySize <= table.Length; at += _entrySize)
                {
                    Segment(table, at);
                }
            });
        }

        private void NextEntry(long at, byte[] entry)
        {
            Segment(entry, 0);
            long next = at + _entrySize;
            if (next + _entrySize <= _dataStart)
            {
                Want(next, _entrySize, e => NextEntry(next, e));
            }
        }

        private void Segment(byte[] b, int at)
        {
            long offset = _is64 ? Clamp(U64(b, at + 8)) : U32(b, at + 4);
            long size = _is64 ? Clamp(U64(b, at + 32)) : U32(b, at + 16);
            if (size > 0)
            {
                Require(offset + size);
                if (offset < _dataStart)
                {
                    _dataStart = offset;
                }
            }
        }
    }
}
