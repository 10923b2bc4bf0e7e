using System;

namespace KuduDiagnostics
{
    /// <summary>One thread of a process, as Kudu's /api/processes/{id}/threads/{threadId} describes it.</summary>
    /// <remarks>Values Kudu could not read (its -1 and MinValue sentinels) are null here.</remarks>
    public sealed class KuduThread
    {
        public KuduSession? Session { get; internal set; }

        /// <summary>The instance that runs the process.</summary>
        public string? Instance { get; internal set; }

        public int ProcessId { get; internal set; }
        public string? ProcessName { get; internal set; }
        public int Id { get; internal set; }

        /// <summary>Running, Wait, Ready... (System.Diagnostics.ThreadState).</summary>
        public string? State { get; internal set; }

        /// <summary>Why a waiting thread waits (UserRequest, Executive...); null unless State is Wait.</summary>
        public string? WaitReason { get; internal set; }

        /// <summary>The thread's start address, "0x7FFB1C2D3E40".</summary>
        public string? StartAddress { get; internal set; }

        public int? CurrentPriority { get; internal set; }
        public int? BasePriority { get; internal set; }
        public string? PriorityLevel { get; internal set; }

        /// <summary>UTC.</summary>
        public DateTime? StartTime { get; internal set; }

        public TimeSpan? TotalProcessorTime { get; internal set; }
        public TimeSpan? UserProcessorTime { get; internal set; }

        /// <summary>Kudu's priviledged_processor_time.</summary>
        public TimeSpan? PrivilegedProcessorTime { get; internal set; }

        public Uri? Href { get; internal set; }

        public string? SiteName => Session?.SiteName;

        public override string ToString() => $"{Id} {State}";
    }
}
