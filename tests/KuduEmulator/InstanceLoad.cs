using System.Collections.Concurrent;

namespace KuduEmulator;

/// <summary>
/// Requests each instance's Kudu is working on, from arrival until its answer starts, and how many instances were
/// busy at once. Counted until the headers, not the last byte: a client may reuse its slot the moment it has read
/// an answer, and our bookkeeping running late must never look like the client going over its bound.
/// </summary>
internal sealed class InstanceLoad
{
    private readonly ConcurrentDictionary<string, Gauge> _instances = new(StringComparer.OrdinalIgnoreCase);
    private int _busyInstances, _maxBusyInstances, _inFlight, _maxInFlight;

    /// <summary>Counts one request on the instance; dispose (any number of times) when its answer starts.</summary>
    public IDisposable Enter(string instance)
    {
        var gauge = _instances.GetOrAdd(instance, _ => new Gauge());
        Raise(ref _maxInFlight, Interlocked.Increment(ref _inFlight));
        if (Interlocked.Increment(ref gauge.InFlight) == 1)
        {
            Raise(ref _maxBusyInstances, Interlocked.Increment(ref _busyInstances));
        }
        Raise(ref gauge.Max, Volatile.Read(ref gauge.InFlight));
        return new Lease(this, gauge);
    }

    public int MaxBusyInstances => Volatile.Read(ref _maxBusyInstances);

    /// <summary>The most requests at once over all instances, counted the same way.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Maxima restart from what is in flight now, like the site's other gauges.</summary>
    public void Reset()
    {
        foreach (var gauge in _instances.Values)
        {
            Interlocked.Exchange(ref gauge.Max, Volatile.Read(ref gauge.InFlight));
        }
        Interlocked.Exchange(ref _maxBusyInstances, Volatile.Read(ref _busyInstances));
        Interlocked.Exchange(ref _maxInFlight, Volatile.Read(ref _inFlight));
    }

    /// <summary>Per instance id: requests in flight now and the most at once.</summary>
    public SortedDictionary<string, object> Snapshot() => new(
        _instances.ToDictionary(kv => kv.Key, kv => (object)new { inFlight = Volatile.Read(ref kv.Value.InFlight), maxConcurrentRequests = Volatile.Read(ref kv.Value.Max) }),
        StringComparer.Ordinal);

    private void Exit(Gauge gauge)
    {
        Interlocked.Decrement(ref _inFlight);
        if (Interlocked.Decrement(ref gauge.InFlight) == 0)
        {
            Interlocked.Decrement(ref _busyInstances);
        }
    }

    private static void Raise(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }

    private sealed class Gauge
    {
        public int InFlight;
        public int Max;
    }

    private sealed class Lease(InstanceLoad load, Gauge gauge) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                load.Exit(gauge);
            }
        }
    }
}
