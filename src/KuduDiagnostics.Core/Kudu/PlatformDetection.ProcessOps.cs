using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>The process operations go to the platform's own contract, once the platform is known.</summary>
    internal sealed partial class PlatformDetection
    {
        public async Task<(List<KuduThread> Threads, string? ServedInstance)> ListThreadsAsync(string? instance, int id, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).ListThreadsAsync(instance, id, limiter, trace, cancellationToken).ConfigureAwait(false);

        public async Task<KuduThread?> GetThreadAsync(string? instance, int id, int threadId, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).GetThreadAsync(instance, id, threadId, limiter, trace, cancellationToken).ConfigureAwait(false);

        public async Task<(List<KuduModule> Modules, string? ServedInstance)> ListModulesAsync(string? instance, int id, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).ListModulesAsync(instance, id, limiter, trace, cancellationToken).ConfigureAwait(false);

        public async Task<KuduModule?> GetModuleAsync(string? instance, int id, string baseAddress, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).GetModuleAsync(instance, id, baseAddress, limiter, trace, cancellationToken).ConfigureAwait(false);

        public async Task<string?> KillAsync(string? instance, int id, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).KillAsync(instance, id, limiter, trace, cancellationToken).ConfigureAwait(false);

        public async Task<string?> StartProfileAsync(string? instance, int id, bool iisProfiling, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).StartProfileAsync(instance, id, iisProfiling, limiter, trace, cancellationToken).ConfigureAwait(false);

        public async Task<KuduDumpResponse> StopProfileAsync(string? instance, int id, RequestLimiter limiter, IKuduTrace trace, CancellationToken cancellationToken) =>
            await (await ResolveAsync(instance, limiter, trace, cancellationToken).ConfigureAwait(false)).StopProfileAsync(instance, id, limiter, trace, cancellationToken).ConfigureAwait(false);
    }
}
