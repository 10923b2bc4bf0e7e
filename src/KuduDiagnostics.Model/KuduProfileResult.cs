using System;

namespace KuduDiagnostics
{
    /// <summary>One CPU profile (a .diagsession) that was recorded and stored.</summary>
    public sealed class KuduProfileResult
    {
        public KuduSession? Session { get; internal set; }
        public string SiteName { get; internal set; } = string.Empty;
        public string? Slot { get; internal set; }
        public string? Instance { get; internal set; }
        public int ProcessId { get; internal set; }
        public string ProcessName { get; internal set; } = string.Empty;

        /// <summary>True for an IIS profile (-IisProfiling: the request pipeline too).</summary>
        public bool IisProfiling { get; internal set; }

        /// <summary>When Kudu was asked to start recording (UTC).</summary>
        public DateTime StartTimeUtc { get; internal set; }

        /// <summary>When Kudu was asked to stop (UTC).</summary>
        public DateTime StopTimeUtc { get; internal set; }

        /// <summary>How long the profile recorded (stop minus start).</summary>
        public TimeSpan Recorded => StopTimeUtc - StartTimeUtc;

        /// <summary>The full path of the .diagsession; null when it went to blob storage.</summary>
        public string? Path { get; internal set; }

        /// <summary>The blob's URI, without any SAS; null when it went to disk.</summary>
        public Uri? BlobUri { get; internal set; }

        public string? BlobName { get; internal set; }
        public long Length { get; internal set; }

        /// <summary>The name Kudu gave it (profile_{instance}_{process}_{pid}.diagsession); informational.</summary>
        public string? ServerFileName { get; internal set; }

        public string Destination => Path ?? BlobUri?.ToString() ?? string.Empty;

        public override string ToString() => Destination;
    }
}
