using System;

namespace KuduDiagnostics
{
    /// <summary>One dump that was written and verified: where it is, how big, how long it took.</summary>
    public sealed class KuduDumpResult
    {
        /// <summary>The session the dump was taken through, so the result pipes on (Stop-KuduProcess).</summary>
        public KuduSession? Session { get; internal set; }

        public string SiteName { get; internal set; } = string.Empty;
        public string? Slot { get; internal set; }
        public string? Instance { get; internal set; }

        /// <summary>The worker's machine name (RD0003FF1A2B3C), as alerts split by Instance name it; null when not known.</summary>
        public string? MachineName { get; internal set; }
        public int ProcessId { get; internal set; }
        public string ProcessName { get; internal set; } = string.Empty;

        /// <summary>Windows (a minidump) or Linux (an ELF core written by the .NET runtime).</summary>
        public KuduPlatform Platform { get; internal set; }

        /// <summary>Mini, Heap, Full, or Custom for a raw -DumpTypeMask.</summary>
        public DumpType DumpType { get; internal set; }

        /// <summary>The MINIDUMP_TYPE mask Kudu was asked for (Windows); 0 on Linux.</summary>
        public int DumpTypeMask { get; internal set; }

        /// <summary>"raw" (a .dmp) or "zip" (the dump with sos.dll and mscordacwks.dll).</summary>
        public string Format { get; internal set; } = "raw";

        /// <summary>The full path of the dump file; null when it went to blob storage.</summary>
        public string? Path { get; internal set; }

        /// <summary>The blob's URI, without any SAS; null when it went to disk.</summary>
        public Uri? BlobUri { get; internal set; }

        /// <summary>The dump's size as stored.</summary>
        public long Length { get; internal set; }

        /// <summary>Bytes that came over the network: Kudu's zip with -Compress, else the same as Length.</summary>
        public long WireBytes { get; internal set; }

        /// <summary>Files that came with the dump, kept beside it (-Compress: sos.dll and mscordacwks.dll in &lt;dump&gt;.dac), as paths or blob URIs.</summary>
        public string[] Extras { get; internal set; } = new string[0];

        /// <summary>When the dump was asked for (UTC).</summary>
        public DateTime CaptureTimeUtc { get; internal set; }

        /// <summary>From the request to the dump stored and verified.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <summary>How long Kudu took to write the dump before sending the first byte (the process is frozen meanwhile).</summary>
        public TimeSpan ServerWriteTime { get; internal set; }

        /// <summary>How long the bytes took to arrive and be stored.</summary>
        public TimeSpan TransferTime { get; internal set; }

        /// <summary>Transfer throughput in MB/s (10^6 bytes per second).</summary>
        public double ThroughputMBps { get; internal set; }

        /// <summary>The name Kudu suggested (Content-Disposition); informational.</summary>
        public string? ServerFileName { get; internal set; }

        /// <summary>True when the first bytes are the platform's signature: a minidump's (MDMP), a zip's (PK) or an ELF core's.</summary>
        public bool SignatureValid { get; internal set; }

        /// <summary>The blob's name within its container (date prefix included); null for files.</summary>
        public string? BlobName { get; internal set; }

        public string Destination => Path ?? BlobUri?.ToString() ?? string.Empty;

        public override string ToString() => Destination;
    }
}
