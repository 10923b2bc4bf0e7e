using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Http
{
    /// <summary>
    /// Bounds the requests in flight: per instance (each instance has its own Kudu, so that is where load lands), and
    /// overall (the client's own sockets and threads). The transport takes one slot per request; a dump keeps its
    /// slot until its body is consumed. Urgent requests (dumps) are served before queued lookups.
    /// </summary>
    internal sealed class RequestLimiter
    {
        /// <summary>Requests in flight per instance when a command brings no bound of its own.</summary>
        public const int DefaultPerInstance = 8;

        /// <summary>Requests in flight in all when a command brings no bound of its own.</summary>
        public const int DefaultOverall = 64;

        private readonly SlotPool _overall;
        private readonly int? _perInstance;
        private readonly ConcurrentDictionary<string, SlotPool> _instances =
            new ConcurrentDictionary<string, SlotPool>(StringComparer.OrdinalIgnoreCase);

        public RequestLimiter(int overall, int? perInstance = null)
        {
            Overall = Math.Max(1, overall);
            _overall = new SlotPool(Overall);
            _perInstance = perInstance is int n ? Math.Max(1, n) : (int?)null;
        }

        public int Overall { get; }

        public int? PerInstance => _perInstance;

        public Task<IDisposable> EnterAsync(string? instance, CancellationToken cancellationToken) => EnterAsync(instance, urgent: false, cancellationToken);

        /// <summary>
        /// Waits for a slot of the instance (if bounded), then an overall one. Dispose the lease to give both back.
        /// <paramref name="instance"/> is any key that names one Kudu (the transport adds the SCM host).
        /// </summary>
        public async Task<IDisposable> EnterAsync(string? instance, bool urgent, CancellationToken cancellationToken)
        {
            SlotPool? own = _perInstance is int bound ? _instances.GetOrAdd(instance ?? string.Empty, _ => new SlotPool(bound)) : null;
            if (own != null)
            {
                await own.WaitAsync(urgent, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await _overall.WaitAsync(urgent, cancellationToken).ConfigureAwait(false);
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
            private SlotPool? _overall;
            private readonly SlotPool? _instance;

            public Lease(SlotPool overall, SlotPool? instance)
            {
                _overall = overall;
                _instance = instance;
            }

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _overall, null) is SlotPool overall)
                {
                    overall.Release();
                    _instance?.Release();
                }
            }
        }
    }
}
