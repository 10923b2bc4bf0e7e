namespace KuduDiagnostics
{
    /// <summary>The kinds of dump Save-KuduProcessDump asks for.</summary>
    /// <remarks>The values are Windows Kudu's MINIDUMP_TYPE masks for compatibility; the wire contract, not the value, decides what is sent.</remarks>
    public enum DumpType
    {
        /// <summary>Kudu's "mini" (MiniDumpWithDataSegs = 1): stacks and modules, no managed heap. Seconds, a few MB.</summary>
        Mini = 0x1,

        /// <summary>Kudu's "full" (MiniDumpWithFullMemory = 2): the whole address space. Freezes the worker longest.</summary>
        Full = 0x2,

        /// <summary>dotnet-dump's "dump with heap": private read/write memory, data segments, handles, unloaded modules,
        /// full memory info, thread info and token information — enough for SOS on the managed heap at a fraction of a full dump.</summary>
        Heap = 0x41A25,

        /// <summary>A raw MINIDUMP_TYPE mask given with -DumpTypeMask.</summary>
        Custom = -1,

        /// <summary>dotnet-monitor's triage dump (Linux only): stacks and exception data, with sensitive memory left out.</summary>
        Triage = -2,
    }
}
