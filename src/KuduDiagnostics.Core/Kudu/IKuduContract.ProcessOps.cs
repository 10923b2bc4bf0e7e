using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>The rest of Kudu's Process Explorer: threads, modules, stop and profiles (Windows; KuduLite refuses them).</summary>
    internal partial interface IKuduContract
    {
        /// <summary>The thread list: ids, states and links only (the detail route has the rest).</summary>
        Task<(List<KuduThread> Threads, string? ServedInstance)> ListThreadsAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken);

        /// <summary>One thread in full; null when it has exited since the list.</summary>
        Task<KuduThread?> GetThreadAsync(string? instance, int id, int threadId, KuduCall call, CancellationToken cancellationToken);

        /// <summary>The module list: base address, file name and version only.</summary>
        Task<(List<KuduModule> Modules, string? ServedInstance)> ListModulesAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken);

        /// <summary>One module in full; null when it was unloaded since the list.</summary>
        Task<KuduModule?> GetModuleAsync(string? instance, int id, string baseAddress, KuduCall call, CancellationToken cancellationToken);

        /// <summary>Kills the process and its children (DELETE). Never retried. Returns the instance that answered.</summary>
        Task<string?> KillAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken);

        /// <summary>Starts a CPU profile (Kudu answers 200 also when one already runs). Never retried.</summary>
        Task<string?> StartProfileAsync(string? instance, int id, bool iisProfiling, KuduCall call, CancellationToken cancellationToken);

        /// <summary>Stops the profile; returns when the headers of its .diagsession arrive. Never retried.</summary>
        Task<KuduDumpResponse> StopProfileAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken);
    }
}
