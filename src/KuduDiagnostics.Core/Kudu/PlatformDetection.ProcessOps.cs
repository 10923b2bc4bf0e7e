using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>The process operations go to the platform's own contract, once the platform is known.</summary>
    internal sealed partial class PlatformDetection
    {
        public async Task<(List<KuduThread> Threads, string? ServedInstance)> ListThreadsAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).ListThreadsAsync(instance, id, call, cancellationToken).ConfigureAwait(false);

        public async Task<KuduThread?> GetThreadAsync(string? instance, int id, int threadId, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).GetThreadAsync(instance, id, threadId, call, cancellationToken).ConfigureAwait(false);

        public async Task<(List<KuduModule> Modules, string? ServedInstance)> ListModulesAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).ListModulesAsync(instance, id, call, cancellationToken).ConfigureAwait(false);

        public async Task<KuduModule?> GetModuleAsync(string? instance, int id, string baseAddress, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).GetModuleAsync(instance, id, baseAddress, call, cancellationToken).ConfigureAwait(false);

        public async Task<string?> KillAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).KillAsync(instance, id, call, cancellationToken).ConfigureAwait(false);

        public async Task<string?> StartProfileAsync(string? instance, int id, bool iisProfiling, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).StartProfileAsync(instance, id, iisProfiling, call, cancellationToken).ConfigureAwait(false);

        public async Task<KuduDumpResponse> StopProfileAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false)).StopProfileAsync(instance, id, call, cancellationToken).ConfigureAwait(false);
    }
}
