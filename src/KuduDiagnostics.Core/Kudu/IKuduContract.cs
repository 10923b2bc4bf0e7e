using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// One platform's process API on the wire: routes, JSON shapes, the dump query and format, and what its error
    /// answers mean. Results come back unstamped; the session's <see cref="KuduClient"/> stamps and redacts them.
    /// </summary>
    internal partial interface IKuduContract
    {
        KuduPlatform Platform { get; }

        /// <summary>The app's worker process name, what Invoke-FunctionAppDump dumps by default.</summary>
        string DefaultWorkerName { get; }

        /// <summary>One cheap authenticated request that proves the credentials; returns the instance that answered.</summary>
        Task<string?> CheckAccessAsync(string? instance, KuduCall call, CancellationToken cancellationToken);

        Task<(List<KuduProcess> Processes, string? ServedInstance)> ListProcessesAsync(string? instance, KuduCall call, CancellationToken cancellationToken);

        Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken);

        /// <summary>The body's signature, extension and content type for a dump in this format.</summary>
        DumpFormat DumpFormat(bool zip);

        /// <summary>The archive a compressed transfer comes in (Kudu's zip, the dump first); null where dumps come only as they are.</summary>
        DumpFormat? CompressedDumpFormat { get; }

        /// <summary>The platform's own dump mask for a kind, where it has one (Windows MINIDUMP_TYPE); null elsewhere.</summary>
        int? WireMask(DumpKind kind);

        /// <summary>Asks for a dump; returns when the headers arrive. Never retried. The response holds a limiter slot until disposed.</summary>
        Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, DumpKind kind, DumpFormat format, KuduCall call, CancellationToken cancellationToken);
    }
}
