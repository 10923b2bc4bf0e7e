using System;

namespace KuduDiagnostics
{
    /// <summary>One module (DLL or EXE) loaded in a process, as Kudu's /api/processes/{id}/modules/{baseAddress} describes it.</summary>
    public sealed class KuduModule
    {
        public KuduSession? Session { get; internal set; }

        /// <summary>The instance that runs the process.</summary>
        public string? Instance { get; internal set; }

        public int ProcessId { get; internal set; }
        public string? ProcessName { get; internal set; }

        /// <summary>Where the module is loaded, in hex as Kudu writes it ("7ffb1c2d0000"); also the key of its route.</summary>
        public string BaseAddress { get; internal set; } = string.Empty;

        public string? FileName { get; internal set; }
        public string? FilePath { get; internal set; }
        public string? FileVersion { get; internal set; }
        public string? FileDescription { get; internal set; }
        public string? Product { get; internal set; }
        public string? ProductVersion { get; internal set; }

        /// <summary>Bytes of memory the module's image takes (module_memory_size); null when Kudu did not say.</summary>
        public long? ModuleMemorySize { get; internal set; }

        public bool? IsDebug { get; internal set; }
        public string? Language { get; internal set; }
        public Uri? Href { get; internal set; }

        public string? SiteName => Session?.SiteName;

        public override string ToString() => FileName ?? BaseAddress;
    }
}
