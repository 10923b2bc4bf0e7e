using System;
using System.Collections.Generic;

namespace KuduDiagnostics
{
    /// <summary>Everything Kudu reports about one process.</summary>
    /// <remarks>
    /// Kudu omits false, zero and null values and reports failed reads with sentinels (-1, "-00:00:01", "N/A");
    /// a value Kudu could not read is null here rather than a sentinel that would poison sums and sorts.
    /// </remarks>
    public sealed class KuduProcessDetail
    {
        public KuduSession? Session { get; internal set; }
        public string? Instance { get; internal set; }

        public int Id { get; internal set; }
        public string Name { get; internal set; } = string.Empty;
        public string? MachineName { get; internal set; }
        public Uri? Href { get; internal set; }
        public string? UserName { get; internal set; }
        public Uri? MinidumpUri { get; internal set; }
        public bool IsProfileRunning { get; internal set; }
        public bool IsIisProfileRunning { get; internal set; }
        public double IisProfileTimeoutInSeconds { get; internal set; }
        public Uri? Parent { get; internal set; }
        public IReadOnlyList<Uri> Children { get; internal set; } = Array.Empty<Uri>();
        public IReadOnlyList<KuduProcessThread> Threads { get; internal set; } = Array.Empty<KuduProcessThread>();
        public IReadOnlyList<string> OpenFileHandles { get; internal set; } = Array.Empty<string>();
        public IReadOnlyList<KuduProcessModule> Modules { get; internal set; } = Array.Empty<KuduProcessModule>();
        public string? FileName { get; internal set; }
        public string? CommandLine { get; internal set; }

        /// <summary>Windows or Linux.</summary>
        public KuduPlatform Platform { get; internal set; }

        /// <summary>What dotnet-monitor reports on Linux ("Linux"); null on Windows.</summary>
        public string? OperatingSystem { get; internal set; }

        /// <summary>What dotnet-monitor reports on Linux ("x64", "arm64"); null on Windows.</summary>
        public string? ProcessArchitecture { get; internal set; }
        public int? HandleCount { get; internal set; }
        public int? ModuleCount { get; internal set; }
        public int? ThreadCount { get; internal set; }
        public DateTime? StartTime { get; internal set; }
        public TimeSpan? TotalCpuTime { get; internal set; }
        public TimeSpan? UserCpuTime { get; internal set; }
        public TimeSpan? PrivilegedCpuTime { get; internal set; }
        public long? WorkingSet { get; internal set; }
        public long? PeakWorkingSet { get; internal set; }
        public long? PrivateMemory { get; internal set; }
        public long? VirtualMemory { get; internal set; }
        public long? PeakVirtualMemory { get; internal set; }
        public long? PagedSystemMemory { get; internal set; }
        public long? NonPagedSystemMemory { get; internal set; }
        public long? PagedMemory { get; internal set; }
        public long? PeakPagedMemory { get; internal set; }
        public DateTime? TimeStamp { get; internal set; }

        /// <summary>Environment of the process. Values are redacted unless asked for: they hold the app's secrets.</summary>
        public IReadOnlyDictionary<string, string> EnvironmentVariables { get; internal set; } = new Dictionary<string, string>();

        public bool EnvironmentRedacted { get; internal set; }
        public bool IsScmSite { get; internal set; }
        public bool IsWebJob { get; internal set; }
        public string? Description { get; internal set; }

        public string? SiteName => Session?.SiteName;

        public override string ToString() => $"{Name} ({Id})";
    }

    public sealed class KuduProcessThread
    {
        public int Id { get; internal set; }
        public string? State { get; internal set; }
        public Uri? Href { get; internal set; }
        public override string ToString() => $"{Id} {State}";
    }

    public sealed class KuduProcessModule
    {
        public string? BaseAddress { get; internal set; }
        public string? FileName { get; internal set; }
        public string? FileVersion { get; internal set; }
        public Uri? Href { get; internal set; }
        public override string ToString() => FileName ?? string.Empty;
    }
}
