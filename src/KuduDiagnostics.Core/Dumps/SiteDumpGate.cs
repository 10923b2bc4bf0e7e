using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// One dump at a time per site. Kudu writes every dump of a site to one fixed file on the shared home
    /// volume (%HOME%\LogFiles\minidump\minidump.dmp), so two dumps in flight clash. Keyed by the SCM host,
    /// so two sessions to one site still take turns; process-wide, so parallel commands do too.
    /// </summary>
    internal static class SiteDumpGate
    {
        private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_gates =
            new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Waits for the site's turn; <paramref name="onWait"/> is called once if another dump holds it.</summary>
        public static async Task<IDisposable> EnterAsync(string siteKey, Action? onWait, CancellationToken cancellationToken)
        {
            SemaphoreSlim gate = s_gates.GetOrAdd(siteKey, _ => new SemaphoreSlim(1, 1));
            if (!gate.Wait(0))
            {
                onWait?.Invoke();
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Releaser(gate);
        }

        private sealed class Releaser : IDisposable
        {
            private SemaphoreSlim? _gate;

            public Releaser(SemaphoreSlim gate) => _gate = gate;

            public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
        }
    }
}
