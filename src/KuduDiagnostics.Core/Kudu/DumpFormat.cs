namespace KuduDiagnostics.Kudu
{
    /// <summary>The kinds of file a dump can be, told by their first bytes and checked by their own structure.</summary>
    internal enum DumpLayout
    {
        /// <summary>A Windows minidump: header, stream directory, memory lists.</summary>
        Minidump,

        /// <summary>An ELF core: program headers.</summary>
        ElfCore,

        /// <summary>A zip archive: the end of central directory record.</summary>
        Zip,

        /// <summary>A 64-bit Mach-O core (macOS): recognised for the analysis's advice only, never downloaded.</summary>
        MachOCore,
    }

    /// <summary>The first bytes of every file a dump can be, and how messages name them: the one place that knows them.</summary>
    internal static class DumpSignatures
    {
        private static readonly byte[] Minidump = { 0x4D, 0x44, 0x4D, 0x50 }; // "MDMP"
        private static readonly byte[] Elf = { 0x7F, 0x45, 0x4C, 0x46 }; // 7F 'E' 'L' 'F'
        private static readonly byte[] Zip = { 0x50, 0x4B, 0x03, 0x04 }; // "PK" and a local file header
        private static readonly byte[] MachO64 = { 0xCF, 0xFA, 0xED, 0xFE }; // MH_MAGIC_64, little-endian

        /// <summary>The signature a file of this layout starts with (a copy: callers may keep it).</summary>
        public static byte[] Of(DumpLayout layout) => (byte[])BytesOf(layout).Clone();

        /// <summary>How warnings name the signature: "minidump (MDMP)".</summary>
        public static string NameOf(DumpLayout layout) => layout switch
        {
            DumpLayout.Minidump => "minidump (MDMP)",
            DumpLayout.ElfCore => "ELF core (7F 45 4C 46)",
            DumpLayout.Zip => "zip (PK)",
            _ => "Mach-O core (CF FA ED FE)",
        };

        /// <summary>The layout whose signature the first <paramref name="read"/> bytes of <paramref name="head"/> carry; null when none.</summary>
        public static DumpLayout? Identify(byte[] head, int read)
        {
            foreach (DumpLayout layout in new[] { DumpLayout.ElfCore, DumpLayout.Minidump, DumpLayout.Zip, DumpLayout.MachOCore })
            {
                if (StartsWith(head, read, BytesOf(layout)))
                {
                    return layout;
                }
            }

            return null;
        }

        /// <summary>True when the first <paramref name="read"/> bytes of <paramref name="head"/> start with an ELF header.</summary>
        public static bool IsElf(byte[] head, int read) => StartsWith(head, read, Elf);

        private static byte[] BytesOf(DumpLayout layout) => layout switch
        {
            DumpLayout.Minidump => Minidump,
            DumpLayout.ElfCore => Elf,
            DumpLayout.Zip => Zip,
            _ => MachO64,
        };

        private static bool StartsWith(byte[] head, int read, byte[] signature)
        {
            if (read < signature.Length || head.Length < signature.Length)
            {
                return false;
            }

            for (int i = 0; i < signature.Length; i++)
            {
                if (head[i] != signature[i])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>What a dump body is on the wire and on disk: its layout (and so its signature), extension and content type (from the contract).</summary>
    internal sealed class DumpFormat
    {
        /// <summary>"raw" or "zip", as results report it.</summary>
        public string Name { get; set; } = "raw";

        /// <summary>How the file's own structure gives its length (checked as the bytes stream); it also fixes the signature.</summary>
        public DumpLayout Layout { get; set; }

        public byte[] Signature => DumpSignatures.Of(Layout);

        /// <summary>How warnings name the signature: "minidump (MDMP)".</summary>
        public string SignatureName => DumpSignatures.NameOf(Layout);

        /// <summary>".dmp", ".zip".</summary>
        public string Extension { get; set; } = ".dmp";

        /// <summary>The stored blob's content type.</summary>
        public string ContentType { get; set; } = "application/octet-stream";

        /// <summary>The Accept header of the dump request.</summary>
        public string Accept { get; set; } = "application/octet-stream";

        /// <summary>A dump smaller than this is suspicious (0: no such check).</summary>
        public int SmallestPlausibleLength { get; set; }
    }
}
