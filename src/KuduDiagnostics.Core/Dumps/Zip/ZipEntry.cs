namespace KuduDiagnostics.Dumps.Zip
{
    /// <summary>One entry as its local file header describes it.</summary>
    internal sealed class ZipEntry
    {
        /// <summary>The name as stored (server-supplied: escape before showing, sanitise before using as a path).</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>0 stored, 8 deflated.</summary>
        public int Method { get; set; }

        /// <summary>True when CRC-32 and sizes follow the data in a data descriptor (a zip written as it streams, as Kudu's is).</summary>
        public bool HasDataDescriptor { get; set; }

        /// <summary>From the header, when it carries them (no data descriptor).</summary>
        public uint Crc32 { get; set; }

        public long CompressedSize { get; set; }

        public long UncompressedSize { get; set; }

        /// <summary>True when the header had a Zip64 extra field: its data descriptor then has 8-byte sizes.</summary>
        public bool Zip64 { get; set; }

        /// <summary>Where the entry's data starts in the archive.</summary>
        public long DataOffset { get; set; }

        /// <summary>How messages name it: "'minidump.dmp'" with control characters escaped.</summary>
        public string Display => "'" + ConsoleText.Escape(Name, 80) + "'";
    }
}
