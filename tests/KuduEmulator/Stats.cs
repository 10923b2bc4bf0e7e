using System.Collections.Concurrent;

namespace KuduEmulator;

/// <summary>One dump request as the control API reports it.</summary>
internal sealed class DumpRecord
{
    public required string Instance { get; init; }
    public int? Pid { get; init; }
    public long DumpType { get; init; }
    public required string Format { get; init; }
    /// <summary>The query string exactly as the client sent it (so tests can see type= / dumpType=).</summary>
    public string? Query { get; init; }
    /// <summary>Linux: the dump type dotnet-monitor took (Mini, WithHeap, Triage, Full); null on Windows.</summary>
    public string? Type { get; set; }
    public DateTime StartedUtc { get; init; }
    public DateTime? EndedUtc { get; set; }
    /// <summary>inProgress, completed, conflict, aborted, dropped, notFound, badRequest, notSupported, fault:&lt;action&gt;.</summary>
    public string Outcome { get; set; } = "inProgress";
    public int? Status { get; set; }
    public long BytesSent { get; set; }
    /// <summary>True once the answer to this request has begun (its headers are out): from then on a client may have it whole.</summary>
    public Func<bool> Answering { get; init; } = () => false;
}

/// <summary>Counters for one site. Gauges (in flight now) survive a reset; totals and maxima restart.</summary>
internal sealed class SiteStats
{
    private const int MaxDumpRecords = 10_000;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, long> _requests = new();
    private readonly ConcurrentDictionary<string, long> _faults = new();
    private readonly ConcurrentDictionary<int, long> _statuses = new();
    private readonly List<DumpRecord> _dumps = [];
    private readonly List<DumpRecord> _open = [];
    private readonly ConcurrentDictionary<string, InstanceDumps> _byInstance = new(StringComparer.OrdinalIgnoreCase);
    private long _dumpRequests, _dumpsCompleted, _dumpConflicts, _authFailures, _bytesSent;
    private int _requestsInFlight, _maxRequests, _dumpsInFlight, _maxDumps;

    /// <summary>Requests in flight per instance (each instance has its own Kudu).</summary>
    public InstanceLoad Load { get; } = new();

    public void RequestStarted(string route)
    {
        _requests.AddOrUpdate(route, 1, (_, n) => n + 1);
        RaiseMax(ref _maxRequests, Interlocked.Increment(ref _requestsInFlight));
    }

    public void RequestEnded(int status)
    {
        Interlocked.Decrement(ref _requestsInFlight);
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    /// <summary>ARM requests about this site: counted, but not as SCM concurrency.</summary>
    public void ArmRequest() => _requests.AddOrUpdate("arm", 1, (_, n) => n + 1);

    public void FaultApplied(FaultRule rule) => _faults.AddOrUpdate(rule.Action, 1, (_, n) => n + 1);

    public void AuthFailed() => Interlocked.Increment(ref _authFailures);

    /// <summary>
    /// A dump request arrived. It overlaps every dump request, refused ones included, whose answer has not begun
    /// (<paramref name="answering"/>): a client that waits for each answer to end can send its next dump only after
    /// the previous answer began, though the server may not have finished that request yet. A request sent during
    /// another's body is refused for the dump file (a conflict) instead.
    /// </summary>
    public DumpRecord DumpStarted(string instance, int? pid, long dumpType, string format, string? query = null, Func<bool>? answering = null)
    {
        Interlocked.Increment(ref _dumpRequests);
        Interlocked.Increment(ref _dumpsInFlight);
        var perInstance = _byInstance.GetOrAdd(instance, _ => new InstanceDumps());
        Interlocked.Increment(ref perInstance.InFlight);
        var record = new DumpRecord
        {
            Instance = instance, Pid = pid, DumpType = dumpType, Format = format, Query = query, StartedUtc = DateTime.UtcNow,
            Answering = answering ?? (() => false),
        };
        lock (_gate)
        {
            _open.Add(record);
            RaiseMax(ref _maxDumps, Unanswered(null));
            RaiseMax(ref perInstance.Max, Unanswered(instance));
            if (_dumps.Count >= MaxDumpRecords)
            {
                _dumps.RemoveAt(0); // a long benchmark must not grow the list without bound
            }
            _dumps.Add(record);
        }
        return record;
    }

    public void DumpEnded(DumpRecord record, string outcome, int status, long bytes)
    {
        Interlocked.Decrement(ref _dumpsInFlight);
        if (_byInstance.TryGetValue(record.Instance, out var perInstance))
        {
            Interlocked.Decrement(ref perInstance.InFlight);
        }
        Interlocked.Add(ref _bytesSent, bytes);
        if (outcome == "completed")
        {
            Interlocked.Increment(ref _dumpsCompleted);
        }
        else if (outcome == "conflict")
        {
            Interlocked.Increment(ref _dumpConflicts);
        }
        lock (_gate)
        {
            _open.Remove(record);
            record.Outcome = outcome;
            record.Status = status;
            record.BytesSent = bytes;
            record.EndedUtc = DateTime.UtcNow;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _requests.Clear();
            _faults.Clear();
            _statuses.Clear();
            _dumps.Clear();
            Interlocked.Exchange(ref _dumpRequests, 0);
            Interlocked.Exchange(ref _dumpsCompleted, 0);
            Interlocked.Exchange(ref _dumpConflicts, 0);
            Interlocked.Exchange(ref _authFailures, 0);
            Interlocked.Exchange(ref _bytesSent, 0);
            Interlocked.Exchange(ref _maxRequests, Volatile.Read(ref _requestsInFlight));
            Interlocked.Exchange(ref _maxDumps, Unanswered(null));
            foreach (var (instance, perInstance) in _byInstance)
            {
                Interlocked.Exchange(ref perInstance.Max, Unanswered(instance));
            }
            Load.Reset();
        }
    }

    public object Snapshot()
    {
        lock (_gate)
        {
            return new
            {
                requests = new SortedDictionary<string, long>(_requests),
                totalRequests = _requests.Where(kv => kv.Key != "arm").Sum(kv => kv.Value),
                statuses = new SortedDictionary<string, long>(_statuses.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value)),
                authFailures = Interlocked.Read(ref _authFailures),
                faultsApplied = _faults.Values.Sum(),
                faultsByAction = new SortedDictionary<string, long>(_faults),
                dumpRequests = Interlocked.Read(ref _dumpRequests),
                dumpsCompleted = Interlocked.Read(ref _dumpsCompleted),
                dumpConflicts = Interlocked.Read(ref _dumpConflicts),
                dumpBytesSent = Interlocked.Read(ref _bytesSent),
                requestsInFlight = Volatile.Read(ref _requestsInFlight),
                dumpsInFlight = Volatile.Read(ref _dumpsInFlight),
                maxConcurrentRequests = Volatile.Read(ref _maxRequests),
                maxConcurrentDumps = Volatile.Read(ref _maxDumps),
                maxConcurrentDumpsByInstance = new SortedDictionary<string, int>(
                    _byInstance.ToDictionary(kv => kv.Key, kv => Volatile.Read(ref kv.Value.Max))),
                maxBusyInstances = Load.MaxBusyInstances,
                maxConcurrentAcrossInstances = Load.MaxInFlight,
                instances = Load.Snapshot(),
                dumps = _dumps.Select(d => new
                {
                    instance = d.Instance,
                    pid = d.Pid,
                    dumpType = d.DumpType,
                    format = d.Format,
                    query = d.Query,
                    type = d.Type,
                    startedUtc = d.StartedUtc,
                    endedUtc = d.EndedUtc,
                    outcome = d.Outcome,
                    status = d.Status,
                    bytesSent = d.BytesSent,
                }).ToList(),
            };
        }
    }

    /// <summary>Dumps in flight on one instance (Linux: dotnet-monitor allows one per instance).</summary>
    private sealed class InstanceDumps
    {
        public int InFlight;
        public int Max;
    }

    /// <summary>Open dump requests (of one instance, or all) whose answer has not begun; call under the gate.</summary>
    private int Unanswered(string? instance) =>
        _open.Count(r => !r.Answering() && (instance == null || string.Equals(r.Instance, instance, StringComparison.OrdinalIgnoreCase)));

    private static void RaiseMax(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }
}

/// <summary>Every request on the main port's ARM face, by status (site-specific ones also count per site).</summary>
internal sealed class ArmStats
{
    private readonly ConcurrentDictionary<int, long> _statuses = new();

    public void Ended(int status) => _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);

    public void Reset() => _statuses.Clear();

    public object Snapshot() => new
    {
        requests = _statuses.Values.Sum(),
        statuses = new SortedDictionary<string, long>(_statuses.ToDictionary(
            kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value)),
    };
}

/// <summary>Tokens issued by the identity endpoint, by audience.</summary>
internal sealed class IdentityStats
{
    private readonly ConcurrentDictionary<string, long> _issued = new(StringComparer.OrdinalIgnoreCase);
    private long _refused;

    public void Issued(string audience) => _issued.AddOrUpdate(audience, 1, (_, n) => n + 1);
    public void Refused() => Interlocked.Increment(ref _refused);

    public void Reset()
    {
        _issued.Clear();
        Interlocked.Exchange(ref _refused, 0);
    }

    public object Snapshot() => new
    {
        tokensIssued = _issued.Values.Sum(),
        tokensByAudience = new SortedDictionary<string, long>(_issued),
        requestsRefused = Interlocked.Read(ref _refused),
    };
}
