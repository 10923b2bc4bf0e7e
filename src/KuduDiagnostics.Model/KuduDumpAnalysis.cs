using System;

namespace KuduDiagnostics
{
    /// <summary>
    /// The first triage of a .NET dump: which types fill the managed heap, what each managed thread runs, which
    /// exception is in flight. Sizes are bytes. Made by Get-KuduDumpAnalysis and Invoke-FunctionAppDump -Analyze.
    /// </summary>
    public sealed class KuduDumpAnalysis
    {
        /// <summary>The dump file analysed.</summary>
        public string Path { get; internal set; } = string.Empty;

        /// <summary>Site, slot, instance and process name: set when the input was a Save-KuduProcessDump result.</summary>
        public string? SiteName { get; internal set; }
        public string? Slot { get; internal set; }
        public string? Instance { get; internal set; }
        public string? ProcessName { get; internal set; }

        /// <summary>The process id recorded in the dump.</summary>
        public int ProcessId { get; internal set; }

        /// <summary>The operating system the dump was taken on: Linux, Windows or OSX.</summary>
        public string Platform { get; internal set; } = string.Empty;

        public string Architecture { get; internal set; } = string.Empty;

        /// <summary>".NET" or ".NET Framework".</summary>
        public string Runtime { get; internal set; } = string.Empty;

        /// <summary>The runtime's version, from the folder that held its libcoreclr.so or coreclr.dll (ClrMD reads 0.0 on .NET 8 and later).</summary>
        public string RuntimeVersion { get; internal set; } = string.Empty;

        /// <summary>The data access library (DAC) the runtime was read with.</summary>
        public string? DacPath { get; internal set; }

        /// <summary>False for Mini and Triage dumps: they hold threads and exceptions but no managed heap.</summary>
        public bool HeapInDump { get; internal set; }

        /// <summary>Objects on the managed heap (free space not counted).</summary>
        public long ObjectCount { get; internal set; }

        /// <summary>Total size of the objects on the managed heap.</summary>
        public long HeapSize { get; internal set; }

        /// <summary>Free space between objects (fragmentation); "Free" in dumpheap -stat.</summary>
        public long FreeSize { get; internal set; }

        public long Generation0Size { get; internal set; }
        public long Generation1Size { get; internal set; }
        public long Generation2Size { get; internal set; }

        /// <summary>Objects of 85,000 bytes and more (the large object heap).</summary>
        public long LargeObjectSize { get; internal set; }

        /// <summary>The pinned object heap (.NET 5 and later).</summary>
        public long PinnedObjectSize { get; internal set; }

        /// <summary>Frozen (non-GC) segments: string literals and other data the runtime never collects.</summary>
        public long FrozenObjectSize { get; internal set; }

        /// <summary>The types with the most bytes on the heap, biggest first (-Top); empty without a heap.</summary>
        public KuduTypeStat[] TopTypes { get; internal set; } = Array.Empty<KuduTypeStat>();

        /// <summary>The live managed threads, in the runtime's order.</summary>
        public KuduThreadInfo[] Threads { get; internal set; } = Array.Empty<KuduThreadInfo>();

        /// <summary>How long the analysis took.</summary>
        public TimeSpan Duration { get; internal set; }

        public override string ToString() => Path;
    }

    /// <summary>One type's share of the heap: as a row of dumpheap -stat.</summary>
    public sealed class KuduTypeStat
    {
        public string Type { get; internal set; } = string.Empty;
        public long Count { get; internal set; }
        public long Size { get; internal set; }

        public override string ToString() => $"{Type} ({Count} objects, {Size} bytes)";
    }

    /// <summary>A managed thread: its ids, its top frames and the exception it holds, if any.</summary>
    public sealed class KuduThreadInfo
    {
        public int ManagedThreadId { get; internal set; }
        public uint OSThreadId { get; internal set; }

        /// <summary>The innermost managed frames first (-Frames of them), as method signatures.</summary>
        public string[] Frames { get; internal set; } = Array.Empty<string>();

        /// <summary>The exception in flight on this thread (thrown and not yet finished with), or null.</summary>
        public KuduExceptionInfo? Exception { get; internal set; }

        public override string ToString() => Frames.Length > 0 ? $"{ManagedThreadId}: {Frames[0]}" : ManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public sealed class KuduExceptionInfo
    {
        public string Type { get; internal set; } = string.Empty;
        public string? Message { get; internal set; }

        public override string ToString() => Message == null ? Type : $"{Type}: {Message}";
    }
}
