using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Http
{
    /// <summary>
    /// Bounds the requests in flight: overall, and (when set) per instance, since each instance has its own Kudu.
    /// The transport takes one slot per request; a dump keeps its slot until its body is consumed.
    /// </summary>
    internal sealed class RequestLimiter
    {
        /// <summary>Today's overall bound when a command brings none of its own.</summary>
        public const int DefaultOverall = 8;

        private readonly SemaphoreSlim _overall;
        private readonly int? _perInstance;
        private readonly ConcurrentDictionary<string, SemaphoreSlim> _instances =
            new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.OrdinalIgnoreCase);

        public RequestLimiter(int overall, int? perInstance = null)
        {
            Overall = Math.Max(1, overall);
            _overall = new SemaphoreSlim(Overall);
            _perInstance = perInstance is int n ? Math.Max(1, n) : (int?)null;
        }

        public int Overall { get; }

        public int? PerInstance => _perInstance;

        /// <summary>Waits for a slot of the instance (if bounded), then an overall one. Dispose the lease to give both back.</summary>
        public async Task<IDisposable> EnterAsync(string? instance, CancellationToken cancellationToken)
        {
            SemaphoreSlim? own = _perInstance is int bound ? _instances.GetOrAdd(instance ?? string.Empty, _ => new SemaphoreSlim(bound)) : null;
            if (own != null)
            {
                await own.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await _overall.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                own?.Release();
                throw;
            }

            return new Lease(_overall, own);
        }

        private sealed class Lease : IDisposable
        {
            private SemaphoreSlim? _overall;
            private readonly SemaphoreSlim? _instance;

            public Lease(SemaphoreSlim overall, SemaphoreSlim? instance)
            {
                _overall = overall;
                _instance = instance;
            }

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _overall, null) is SemaphoreSlim overall)
                {
                    overall.Release();
                    _instance?.Release();
                }
            }
        }
    }
}
