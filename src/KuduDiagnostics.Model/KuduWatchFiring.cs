using System;

namespace KuduDiagnostics
{
    /// <summary>One firing of a watch: a process held every trigger for long enough.</summary>
    /// <remarks>
    /// Carries <see cref="Session"/>, <see cref="Instance"/>, <see cref="Id"/> and <see cref="Name"/> so that it
    /// pipes by property name into Save-KuduProcessDump, which starts dumping while the watch goes on.
    /// </remarks>
    public sealed class KuduWatchFiring
    {
        public KuduSession? Session { get; internal set; }

        /// <summary>The instance (ARRAffinity value) that runs the process.</summary>
        public string? Instance { get; internal set; }

        public int Id { get; internal set; }
        public string Name { get; internal set; } = string.Empty;

        /// <summary>1 for the watch's first firing, 2 for the second, ...</summary>
        public int Number { get; internal set; }

        /// <summary>What had to hold, e.g. "PrivateMemory > 1.5 GB for 00:01:00".</summary>
        public string Trigger { get; internal set; } = string.Empty;

        /// <summary>When the first sample of the run that fired held every trigger (UTC).</summary>
        public DateTime CrossedAt { get; internal set; }

        /// <summary>When the sample that fired was taken (UTC); at least -For after <see cref="CrossedAt"/>.</summary>
        public DateTime FiredAt { get; internal set; }

        /// <summary>Bytes, as measured by the sample that fired; null when Kudu could not read it.</summary>
        public long? PrivateMemory { get; internal set; }

        public long? WorkingSet { get; internal set; }

        /// <summary>Percent of the instance's total CPU (all its processors) since the previous sample.</summary>
        public double? CpuPercent { get; internal set; }

        public int? ThreadCount { get; internal set; }
        public int? HandleCount { get; internal set; }

        /// <summary>The instance's processor count (its NUMBER_OF_PROCESSORS), what CpuPercent divides by.</summary>
        public int? ProcessorCount { get; internal set; }

        public string? SiteName => Session?.SiteName;

        public override string ToString() => $"{Name} ({Id}): {Trigger}";
    }
}
