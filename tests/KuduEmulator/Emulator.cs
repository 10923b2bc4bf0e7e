using System.Collections.Immutable;

namespace KuduEmulator;

internal sealed record UserIdentity(string ClientId, string PrincipalId, string ResourceId);

/// <summary>The managed identity the emulated automation account / app has.</summary>
internal sealed record IdentityConfig(
    string Header,
    string SystemClientId,
    string SystemPrincipalId,
    IReadOnlyList<UserIdentity> UserAssigned);

/// <summary>Everything the emulator knows, built once from the scenario.</summary>
internal sealed class EmulatorState
{
    public static readonly string[] DefaultAudiences =
        ["https://appservice.azure.com", "https://management.azure.com", "https://management.core.windows.net"];

    public EmulatorState(ScenarioDoc doc)
    {
        SubscriptionId = doc.SubscriptionId ?? "00000000-0000-0000-0000-000000000000";
        ResourceGroup = doc.ResourceGroup ?? "rg-test";
        TenantId = doc.TenantId ?? "11111111-1111-1111-1111-111111111111";
        Location = doc.Location ?? "West Europe";

        var id = doc.Identity ?? new IdentityDoc();
        Identity = new IdentityConfig(
            id.Header ?? Det.Secret(24),
            id.ClientId ?? Det.Guid("system-identity-client", SubscriptionId).ToString(),
            id.PrincipalId ?? Det.Guid("system-identity", SubscriptionId).ToString(),
            (id.UserAssigned ?? []).Select((u, i) => new UserIdentity(
                u.ClientId ?? Det.Guid("ua-client", i).ToString(),
                u.PrincipalId ?? Det.Guid("ua-principal", i).ToString(),
                u.ResourceId ?? $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-{i}"))
                .ToList());

        var boot = DateTime.UtcNow;
        var sites = new List<SiteState>();
        var staticTokens = new List<StaticToken>();
        foreach (var s in doc.Sites ?? [])
        {
            var site = BuildSite(s, boot);
            sites.Add(site);
            staticTokens.AddRange(site.BearerTokens);
        }
        Sites = sites;
        Tokens = new TokenService(TenantId, staticTokens);
    }

    public string SubscriptionId { get; }
    public string ResourceGroup { get; }
    public string TenantId { get; }
    public string Location { get; }
    public IdentityConfig Identity { get; }
    public IReadOnlyList<SiteState> Sites { get; }
    public TokenService Tokens { get; }
    public IdentityStats IdentityStats { get; } = new();

    /// <summary>Time since the scenario started, what process timelines run on; reset restarts it.</summary>
    public ScenarioClock Clock { get; } = new();
    public ArmStats ArmStats { get; } = new();

    /// <summary>Where Linux dumps are written before they are streamed (each file is deleted after its request).</summary>
    public string DumpTempFolder { get; set; } = Path.Combine(Path.GetTempPath(), $"kudu-emulator-{Environment.ProcessId}");

    /// <summary>Main (ARM + identity + control) port.</summary>
    public int MainPort { get; set; }
    public string MainUrl => $"http://127.0.0.1:{MainPort}";

    private ImmutableDictionary<int, SiteState> _byPort = ImmutableDictionary<int, SiteState>.Empty;

    public void BindPorts(IReadOnlyDictionary<SiteState, int> ports)
    {
        foreach (var (site, port) in ports)
        {
            site.Port = port;
        }
        _byPort = ports.ToImmutableDictionary(kv => kv.Value, kv => kv.Key);
    }

    public SiteState? SiteByPort(int port) => _byPort.GetValueOrDefault(port);

    /// <summary>Control API names: "contoso" or "contoso-staging".</summary>
    public SiteState? SiteByKey(string key) =>
        Sites.FirstOrDefault(s => s.Facts.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    public SiteState? SiteByArm(string name, string? slot) =>
        Sites.FirstOrDefault(s => s.Facts.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                                  && string.Equals(s.Facts.Slot, slot, StringComparison.OrdinalIgnoreCase));

    public void Reset()
    {
        foreach (var site in Sites)
        {
            site.Reset();
        }
        IdentityStats.Reset();
        ArmStats.Reset();
        Clock.Restart();
    }

    private SiteState BuildSite(SiteDoc s, DateTime boot)
    {
        var name = s.Name!.Trim();
        var slot = string.IsNullOrWhiteSpace(s.Slot) ? null : s.Slot.Trim();
        var os = s.Os ?? (s.Kind?.Contains("linux", StringComparison.OrdinalIgnoreCase) == true ? "linux" : "windows");
        var sku = s.Sku ?? "Standard";
        var facts = new SiteFacts(
            name, slot, Scenario.SiteKey(name, slot),
            s.Kind ?? "app", os.ToLowerInvariant(), sku,
            s.Location ?? Location, SubscriptionId, ResourceGroup,
            s.HasScm ?? HasScmByDefault(sku, os));

        var basic = s.BasicAuth ?? new BasicAuthDoc();
        var settings = new SiteSettings(
            Math.Max(0, s.LatencyMs ?? 0),
            BuildDump(s.Dump, null),
            basic.UserName ?? (slot is null ? $"${name}" : $"${name}__{slot}"),
            basic.Password ?? Det.Secret(45),
            basic.Enabled ?? true,
            [.. s.AcceptedAudiences ?? [.. DefaultAudiences]],
            s.AuthorizedPrincipals is null ? null : [.. s.AuthorizedPrincipals],
            s.DotnetMonitor,
            s.DotnetMonitorVersion ?? DotnetMonitorVersions.Preview5,
            Math.Max(1, s.ProxyTimeoutMs ?? DotnetMonitorVersions.KuduLiteProxyTimeoutMs));

        var tokens = (s.BearerTokens ?? [])
            .Where(t => !string.IsNullOrEmpty(t.Token))
            .Select(t => new StaticToken(t.Token!, t.Audience ?? "https://appservice.azure.com",
                t.PrincipalId ?? Det.Guid("static-token-principal", t.Token).ToString(), t.ExpiresOn))
            .ToList();

        var instances = ProcessFactory.BuildInstances(facts, s, boot);
        for (var i = 0; i < instances.Count && i < (s.Instances?.Count ?? 0); i++)
        {
            instances[i].InitLinuxTargets(s.Instances![i].LinuxTargets ?? []);
        }
        InstanceScript.Attach(instances, s.Instances, Clock, facts.Key);
        return new SiteState(facts, settings, s.Faults ?? [], instances, tokens);
    }

    /// <summary>Flex Consumption and Linux Consumption apps have no SCM site at all.</summary>
    private static bool HasScmByDefault(string sku, string os) =>
        !(sku.Equals("FlexConsumption", StringComparison.OrdinalIgnoreCase)
          || (sku.Equals("Dynamic", StringComparison.OrdinalIgnoreCase) && os.Equals("linux", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Builds dump settings from a scenario/control "dump" object over an existing value.</summary>
    public static DumpSettings BuildDump(DumpDoc? doc, DumpSettings? current)
    {
        var sizes = current?.Sizes ?? ImmutableDictionary<long, long>.Empty;
        var defaultSize = current?.DefaultSize ?? 2L << 20;
        foreach (var (key, value) in doc?.Sizes ?? [])
        {
            if (value < 0)
            {
                throw new InvalidDataException($"Dump size for '{key}' cannot be negative.");
            }
            if (key.Equals("default", StringComparison.OrdinalIgnoreCase))
            {
                defaultSize = value;
            }
            else if (Scenario.TryParseDumpType(key, out var type))
            {
                sizes = sizes.SetItem(type, value);
            }
            else
            {
                throw new InvalidDataException($"Dump size key '{key}' is neither a dumpType nor 'default'.");
            }
        }
        return new DumpSettings(
            sizes,
            defaultSize,
            Math.Max(0, doc?.WriteDelayMs ?? current?.WriteDelayMs ?? 0),
            Math.Max(0, doc?.PaceBytesPerSecond ?? current?.PaceBytesPerSecond ?? 0),
            doc?.File ?? current?.File);
    }
}
