using System.Collections.Immutable;

namespace KuduEmulator;

/// <summary>The fixed facts of a site (never change at runtime).</summary>
internal sealed record SiteFacts(
    string Name,
    string? Slot,
    string Key,
    string Kind,
    string Os,
    string Sku,
    string Location,
    string SubscriptionId,
    string ResourceGroup,
    bool HasScm)
{
    public bool IsLinux => Os.Equals("linux", StringComparison.OrdinalIgnoreCase);
    public bool IsFunctionApp => Kind.Contains("functionapp", StringComparison.OrdinalIgnoreCase);

    /// <summary>Linux Consumption and Flex Consumption: an SCM host (if any) for deployment only, no process API.</summary>
    public bool HasNoProcessApi =>
        Sku.Equals("FlexConsumption", StringComparison.OrdinalIgnoreCase)
        || (IsLinux && Sku.Equals("Dynamic", StringComparison.OrdinalIgnoreCase));

    /// <summary>The IIS app pool: "contoso", or "contoso__staging" for a slot.</summary>
    public string PoolName => Slot is null ? Name : $"{Name}__{Slot}";

    public string DefaultHostName => Slot is null ? $"{Name}.azurewebsites.net" : $"{Name}-{Slot}.azurewebsites.net";

    public string ResourceId =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Web/sites/{Name}"
        + (Slot is null ? "" : $"/slots/{Slot}");
}

internal sealed record DumpSettings(
    ImmutableDictionary<long, long> Sizes,
    long DefaultSize,
    int WriteDelayMs,
    long PaceBytesPerSecond,
    string? File = null)
{
    public long SizeFor(long dumpType) => Sizes.TryGetValue(dumpType, out var size) ? size : DefaultSize;
}

/// <summary>The settings a test may change at runtime; replaced as a whole (copy on write).</summary>
internal sealed record SiteSettings(
    int LatencyMs,
    DumpSettings Dump,
    string UserName,
    string Password,
    bool BasicAuthEnabled,
    ImmutableArray<string> AcceptedAudiences,
    ImmutableHashSet<string>? AuthorizedPrincipals,
    string? DotnetMonitor = null,
    string DotnetMonitorVersion = DotnetMonitorVersions.Preview5,
    int ProxyTimeoutMs = DotnetMonitorVersions.KuduLiteProxyTimeoutMs)
{
    public bool IsAuthorized(string? principalId) =>
        AuthorizedPrincipals is null || (principalId is not null && AuthorizedPrincipals.Contains(principalId));
}

internal sealed class SiteState
{
    private readonly SiteSettings _initialSettings;
    private readonly ImmutableArray<FaultRule> _initialFaults;
    private SiteSettings _settings;
    private ImmutableArray<FaultRule> _faults;
    private int _dumpInFlight;
    private int _roundRobin = -1;

    public SiteState(SiteFacts facts, SiteSettings settings, IEnumerable<FaultRule> faults,
        IReadOnlyList<InstanceState> instances, IReadOnlyList<StaticToken> bearerTokens)
    {
        Facts = facts;
        _initialSettings = _settings = settings;
        _initialFaults = [.. faults];
        _faults = [.. _initialFaults.Select(f => f.Clone())];
        Instances = instances;
        BearerTokens = bearerTokens;
    }

    public SiteFacts Facts { get; }
    public IReadOnlyList<InstanceState> Instances { get; }
    public IReadOnlyList<StaticToken> BearerTokens { get; }
    public SiteStats Stats { get; } = new();

    /// <summary>Kills and profiles (ProcessOps.cs).</summary>
    public ProcessOpsLog Ops { get; } = new();

    /// <summary>Port of this site's SCM listener (0 when the site has no SCM site).</summary>
    public int Port { get; set; }
    public string? ScmUrl => Facts.HasScm ? $"http://127.0.0.1:{Port}" : null;
    public string ScmHost => $"127.0.0.1:{Port}";

    public SiteSettings Settings => Volatile.Read(ref _settings);
    public ImmutableArray<FaultRule> FaultRules => _faults;

    public void UpdateSettings(Func<SiteSettings, SiteSettings> change)
    {
        while (true)
        {
            var current = Settings;
            if (Interlocked.CompareExchange(ref _settings, change(current), current) == current)
            {
                return;
            }
        }
    }

    public void ReplaceFaults(IEnumerable<FaultRule> rules) =>
        ImmutableInterlocked.InterlockedExchange(ref _faults, [.. rules]);

    /// <summary>The instance named by the affinity cookie, else the next one round-robin.</summary>
    public InstanceState PickInstance(string? affinity)
    {
        if (affinity is not null && FindLiveInstance(affinity) is { } named)
        {
            return named;
        }
        // An unknown (or stopped) instance's cookie goes to any running instance, as ARR does.
        var live = LiveInstances;
        var pool = live.Count > 0 ? live : Instances;
        var next = (uint)Interlocked.Increment(ref _roundRobin);
        return pool[(int)(next % (uint)pool.Count)];
    }

    public InstanceState? FindInstance(string id) =>
        Instances.FirstOrDefault(i => i.Id.Equals(id, StringComparison.OrdinalIgnoreCase));

    public InstanceState? FindLiveInstance(string id) => FindInstance(id) is { IsDown: false } i ? i : null;

    /// <summary>The instances running now (what ARM lists and the front end routes to).</summary>
    public IReadOnlyList<InstanceState> LiveInstances => Instances.Where(i => !i.IsDown).ToList();

    /// <summary>
    /// Kudu writes every dump to one fixed file on the shared home volume: a second dump on any
    /// instance of the site fails while one is being written or downloaded.
    /// </summary>
    public bool TryEnterDump() => Interlocked.CompareExchange(ref _dumpInFlight, 1, 0) == 0;

    public void ExitDump() => Volatile.Write(ref _dumpInFlight, 0);

    /// <summary>Back to the scenario's state: processes, settings, faults, stats.</summary>
    public void Reset()
    {
        foreach (var instance in Instances)
        {
            instance.Reset();
        }
        Volatile.Write(ref _settings, _initialSettings);
        ReplaceFaults(_initialFaults.Select(f => f.Clone()));
        Interlocked.Exchange(ref _roundRobin, -1); // the next cookie-less request goes to the first instance again
        Stats.Reset();
        Ops.Reset();
    }
}
