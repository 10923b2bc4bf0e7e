using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KuduEmulator;

// The scenario file, as written by a test. Every property is optional; Scenario.Load fills the
// gaps. Parsing is lenient: property names ignore case, comments and trailing commas are allowed.

internal sealed class ScenarioDoc
{
    public string? SubscriptionId { get; set; }
    public string? ResourceGroup { get; set; }
    public string? TenantId { get; set; }
    public string? Location { get; set; }
    public IdentityDoc? Identity { get; set; }
    public List<SiteDoc>? Sites { get; set; }
}

internal sealed class IdentityDoc
{
    public string? Header { get; set; }
    public string? PrincipalId { get; set; }
    public string? ClientId { get; set; }
    public List<UserIdentityDoc>? UserAssigned { get; set; }
}

internal sealed class UserIdentityDoc
{
    public string? ClientId { get; set; }
    public string? PrincipalId { get; set; }
    public string? ResourceId { get; set; }
}

internal sealed class SiteDoc
{
    public string? Name { get; set; }
    public string? Slot { get; set; }
    public string? Kind { get; set; }
    public string? Os { get; set; }
    public string? Sku { get; set; }
    public string? Location { get; set; }
    public bool? HasScm { get; set; }
    public BasicAuthDoc? BasicAuth { get; set; }
    public List<BearerTokenDoc>? BearerTokens { get; set; }
    public List<string>? AcceptedAudiences { get; set; }
    public List<string>? AuthorizedPrincipals { get; set; }
    public int? InstanceCount { get; set; }
    public int? AppWorkers { get; set; }
    public List<string>? ExtraProcesses { get; set; }
    public List<InstanceDoc>? Instances { get; set; }
    public Dictionary<string, string?>? Environment { get; set; }
    public DumpDoc? Dump { get; set; }
    public int? LatencyMs { get; set; }
    public List<FaultRule>? Faults { get; set; }
    /// <summary>Linux sites: enabled, disabled, notRunning, unreachable; absent = the pre-dotnet-monitor answer (JSON 400).</summary>
    public string? DotnetMonitor { get; set; }
    /// <summary>Linux sites: which dotnet-monitor answers behind KuduLite: preview5 (default) or ga.</summary>
    public string? DotnetMonitorVersion { get; set; }
    /// <summary>Linux sites: KuduLite's proxy timeout (ms); a dump whose writeDelayMs reaches it ends as 502 canceled.</summary>
    public int? ProxyTimeoutMs { get; set; }
}

internal sealed class BasicAuthDoc
{
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public bool? Enabled { get; set; }
}

internal sealed class BearerTokenDoc
{
    public string? Token { get; set; }
    public string? Audience { get; set; }
    public string? PrincipalId { get; set; }
    public DateTimeOffset? ExpiresOn { get; set; }
}

internal sealed class InstanceDoc
{
    public string? Id { get; set; }
    public string? MachineName { get; set; }
    /// <summary>Absent: the generated set. Present (even empty): exactly these.</summary>
    public List<ProcessDoc>? Processes { get; set; }
    /// <summary>Linux sites: pids of real .NET processes this instance's dotnet-monitor sees.</summary>
    public List<int>? LinuxTargets { get; set; }
    /// <summary>NUMBER_OF_PROCESSORS of every process on this instance (default: the generated "2").</summary>
    public int? ProcessorCount { get; set; }
}

internal sealed class ProcessDoc
{
    public int Id { get; set; }
    public string? Name { get; set; }
    public string? UserName { get; set; }
    public bool? IsScmSite { get; set; }
    public int? ParentId { get; set; }
    public bool Restricted { get; set; }
    public string? FileName { get; set; }
    public string? CommandLine { get; set; }
    public DateTime? StartTime { get; set; }
    public int? ThreadCount { get; set; }
    public int? HandleCount { get; set; }
    public long? WorkingSet { get; set; }
    public long? PrivateMemory { get; set; }
    public bool IsWebJob { get; set; }
    public string? Description { get; set; }
    public Dictionary<string, string?>? Environment { get; set; }
    /// <summary>Scripted figures over time since the scenario started (privateMemory, workingSet, cpuTime, threadCount, handleCount): see Timelines.cs.</summary>
    public Dictionary<string, JsonElement>? Timeline { get; set; }
    /// <summary>Seconds since the scenario started before the process is listed (a recycled worker).</summary>
    public double? AppearAt { get; set; }
    /// <summary>Seconds since the scenario started when the process exits.</summary>
    public double? ExitAt { get; set; }
}

internal sealed class DumpDoc
{
    /// <summary>Keys: a dumpType ("1", "2", "0x41A25") or "default". Values: bytes.</summary>
    public Dictionary<string, long>? Sizes { get; set; }
    public int? WriteDelayMs { get; set; }
    public long? PaceBytesPerSecond { get; set; }
    /// <summary>A pre-made file served as every raw dump's body (SendFileAsync): a fast server for benchmarks.</summary>
    public string? File { get; set; }
}

internal static class Scenario
{
    public static readonly JsonSerializerOptions ReadOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ScenarioDoc Load(string? path)
    {
        if (path is null)
        {
            return Default();
        }
        var doc = JsonSerializer.Deserialize<ScenarioDoc>(File.ReadAllText(path), ReadOptions)
                  ?? throw new InvalidDataException($"Scenario '{path}' is empty.");
        Validate(doc);
        return doc;
    }

    /// <summary>The demo's scenario: one Windows function app, two instances, Basic auth, small dumps.</summary>
    public static ScenarioDoc Default() => new()
    {
        Sites =
        [
            new SiteDoc
            {
                Name = "contoso",
                Kind = "functionapp",
                Sku = "Standard",
                InstanceCount = 2,
                ExtraProcesses = ["dotnet"],
                Dump = new DumpDoc
                {
                    Sizes = new() { ["1"] = 1L << 20, ["2"] = 8L << 20, ["default"] = 2L << 20 },
                },
            },
        ],
    };

    private static void Validate(ScenarioDoc doc)
    {
        if (doc.Sites is null || doc.Sites.Count == 0)
        {
            throw new InvalidDataException("A scenario needs at least one site.");
        }
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var site in doc.Sites)
        {
            if (string.IsNullOrWhiteSpace(site.Name))
            {
                throw new InvalidDataException("Every site needs a name.");
            }
            var key = SiteKey(site.Name, site.Slot);
            if (!keys.Add(key))
            {
                throw new InvalidDataException($"Site '{key}' is declared twice.");
            }
            if (site.DotnetMonitor is not null)
            {
                site.DotnetMonitor = LinuxMonitorState.Normalize(site.DotnetMonitor);
            }
            if (site.DotnetMonitorVersion is not null)
            {
                site.DotnetMonitorVersion = DotnetMonitorVersions.Normalize(site.DotnetMonitorVersion);
            }
            foreach (var rule in site.Faults ?? [])
            {
                rule.Validate();
            }
            foreach (var instance in site.Instances ?? [])
            {
                foreach (var p in instance.Processes ?? [])
                {
                    if (p.Id <= 0)
                    {
                        throw new InvalidDataException($"Site '{key}': explicit processes need a positive id.");
                    }
                }
            }
        }
    }

    public static string SiteKey(string name, string? slot) =>
        string.IsNullOrEmpty(slot) ? name : $"{name}-{slot}";

    /// <summary>Parses a dumpType key: decimal or 0x-prefixed hex.</summary>
    public static bool TryParseDumpType(string text, out long value)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
