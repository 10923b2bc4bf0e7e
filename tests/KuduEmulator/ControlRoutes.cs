using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KuduEmulator;

/// <summary>/_emulator/*: stats, reset, runtime faults and settings, for tests and benchmarks. No auth.</summary>
internal sealed class ControlRoutes(EmulatorState state, Func<object> readyInfo)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        var rc = new RequestContext();
        var seg = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries)[1..];
        var method = ctx.Request.Method;
        try
        {
            switch (seg)
            {
                case ["stats"] when HttpMethods.IsGet(method):
                    await Http.WriteJsonAsync(ctx, rc, 200, Stats());
                    return;
                case ["info"] when HttpMethods.IsGet(method):
                    await Http.WriteJsonAsync(ctx, rc, 200, readyInfo());
                    return;
                case ["clock"] when HttpMethods.IsGet(method):
                    await Http.WriteJsonAsync(ctx, rc, 200, new { startedUtc = state.Clock.StartedUtc, elapsedSeconds = state.Clock.ElapsedSeconds });
                    return;
                case ["reset"] when HttpMethods.IsPost(method):
                    state.Reset();
                    await Http.WriteStatusAsync(ctx, 204);
                    return;
                case ["sites", var key, .. var rest]:
                    var site = state.SiteByKey(key);
                    if (site is null)
                    {
                        await ErrorAsync(ctx, rc, 404, $"No site '{key}'. Sites: {string.Join(", ", state.Sites.Select(s => s.Facts.Key))}.");
                        return;
                    }
                    await SiteAsync(ctx, rc, site, rest, method);
                    return;
            }
            await ErrorAsync(ctx, rc, 404, $"Unknown control route {method} {ctx.Request.Path}.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or FormatException or InvalidOperationException)
        {
            await ErrorAsync(ctx, rc, 400, ex.Message);
        }
    }

    private async Task SiteAsync(HttpContext ctx, RequestContext rc, SiteState site, string[] rest, string method)
    {
        switch (rest)
        {
            case ["faults"] when HttpMethods.IsPut(method):
                var rules = await JsonSerializer.DeserializeAsync<List<FaultRule>>(ctx.Request.Body, Scenario.ReadOptions, ctx.RequestAborted)
                            ?? throw new InvalidDataException("Expected a JSON array of fault rules.");
                rules.ForEach(r => r.Validate());
                site.ReplaceFaults(rules);
                await Http.WriteJsonAsync(ctx, rc, 200, FaultsView(site));
                return;
            case ["faults"] when HttpMethods.IsDelete(method):
                site.ReplaceFaults([]);
                await Http.WriteStatusAsync(ctx, 204);
                return;
            case ["ops"] when HttpMethods.IsGet(method):
                await Http.WriteJsonAsync(ctx, rc, 200, site.Ops.Snapshot());
                return;
            case ["faults"] when HttpMethods.IsGet(method):
                await Http.WriteJsonAsync(ctx, rc, 200, FaultsView(site));
                return;
            case ["settings"] when HttpMethods.IsPut(method) || HttpMethods.IsPatch(method):
                var patch = await JsonNode.ParseAsync(ctx.Request.Body, new JsonNodeOptions { PropertyNameCaseInsensitive = true },
                                Scenario.DocumentOptions, ctx.RequestAborted) as JsonObject
                            ?? throw new InvalidDataException("Expected a JSON object.");
                site.UpdateSettings(current => ApplySettings(current, patch));
                await Http.WriteJsonAsync(ctx, rc, 200, SettingsView(site.Settings));
                return;
            case ["settings"] when HttpMethods.IsGet(method):
                await Http.WriteJsonAsync(ctx, rc, 200, SettingsView(site.Settings));
                return;
            case ["instances", var iid, "processes", var pidText, "kill"] when HttpMethods.IsPost(method):
                var instance = site.FindInstance(iid);
                if (instance is null || !int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid)
                    || instance.Resolve(pid) is not { } process || !instance.Kill(process.Id))
                {
                    await ErrorAsync(ctx, rc, 404, $"No process {pidText} on instance {iid}.");
                    return;
                }
                await Http.WriteStatusAsync(ctx, 204);
                return;
            case ["linux-targets"] when HttpMethods.IsPut(method):
                var targets = await JsonSerializer.DeserializeAsync<Dictionary<string, List<int>>>(ctx.Request.Body, Scenario.ReadOptions, ctx.RequestAborted)
                              ?? throw new InvalidDataException("Expected a JSON object: {\"<instance id>\": [pid, ...]}.");
                var unknown = targets.Keys.Where(k => site.FindInstance(k) is null).ToList();
                if (unknown.Count > 0)
                {
                    await ErrorAsync(ctx, rc, 404, $"No instance {string.Join(", ", unknown)} on {site.Facts.Key}.");
                    return;
                }
                foreach (var i in site.Instances)
                {
                    // Replaces the whole map: an instance left out sees no process.
                    i.SetLinuxTargets(targets.FirstOrDefault(kv => kv.Key.Equals(i.Id, StringComparison.OrdinalIgnoreCase)).Value ?? []);
                }
                await Http.WriteJsonAsync(ctx, rc, 200, LinuxTargetsView(site));
                return;
            case ["linux-targets"] when HttpMethods.IsGet(method):
                await Http.WriteJsonAsync(ctx, rc, 200, LinuxTargetsView(site));
                return;
            case ["instances", var stopId, var upDown and ("stop" or "start")] when HttpMethods.IsPost(method):
                if (site.FindInstance(stopId) is not { } target)
                {
                    await ErrorAsync(ctx, rc, 404, $"No instance {stopId}.");
                    return;
                }
                target.IsDown = upDown == "stop";
                await Http.WriteStatusAsync(ctx, 204);
                return;
            case ["expected-dump"] when HttpMethods.IsGet(method):
                await ExpectedDumpAsync(ctx, rc, site);
                return;
        }
        await ErrorAsync(ctx, rc, 404, $"Unknown control route {method} {ctx.Request.Path}.");
    }

    private static async Task ExpectedDumpAsync(HttpContext ctx, RequestContext rc, SiteState site)
    {
        var q = ctx.Request.Query;
        var iid = q["instance"].ToString();
        var instance = iid.Length > 0 ? site.FindInstance(iid) : site.Instances.Count == 1 ? site.Instances[0] : null;
        if (instance is null)
        {
            await ErrorAsync(ctx, rc, 400, "instance is required (and must be one of the site's instance ids).");
            return;
        }
        if (!int.TryParse(q["pid"], CultureInfo.InvariantCulture, out var pid))
        {
            await ErrorAsync(ctx, rc, 400, "pid is required.");
            return;
        }
        if (pid <= 0)
        {
            pid = instance.Resolve(pid)?.Id ?? pid; // 0 / -1 as Kudu would resolve them now
        }
        var typeText = q["dumpType"].ToString();
        long dumpType = 0;
        if (typeText.Length > 0 && !Scenario.TryParseDumpType(typeText, out dumpType))
        {
            await ErrorAsync(ctx, rc, 400, "dumpType must be a number.");
            return;
        }
        var content = DumpContent.For(site.Facts, instance.Id, pid, dumpType, site.Settings.Dump.SizeFor(dumpType));
        var sha = await Task.Run(content.Sha256Hex, ctx.RequestAborted);
        await Http.WriteJsonAsync(ctx, rc, 200, new { length = content.Length, sha256 = sha, instance = instance.Id, pid, dumpType });
    }

    private static SiteSettings ApplySettings(SiteSettings s, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            switch (name.ToLowerInvariant())
            {
                case "latencyms":
                    s = s with { LatencyMs = Math.Max(0, value?.GetValue<int>() ?? 0) };
                    break;
                case "dump":
                    var dump = value.Deserialize<DumpDoc>(Scenario.ReadOptions);
                    s = s with { Dump = EmulatorState.BuildDump(dump, s.Dump) };
                    break;
                case "basicauth":
                    var basic = value.Deserialize<BasicAuthDoc>(Scenario.ReadOptions) ?? new BasicAuthDoc();
                    s = s with
                    {
                        BasicAuthEnabled = basic.Enabled ?? s.BasicAuthEnabled,
                        UserName = basic.UserName ?? s.UserName,
                        Password = basic.Password ?? s.Password,
                    };
                    break;
                case "acceptedaudiences":
                    s = s with { AcceptedAudiences = [.. value.Deserialize<List<string>>(Scenario.ReadOptions) ?? []] };
                    break;
                case "authorizedprincipals":
                    var principals = value.Deserialize<List<string>>(Scenario.ReadOptions);
                    s = s with { AuthorizedPrincipals = principals is null ? null : [.. principals] };
                    break;
                case "dotnetmonitor":
                    var monitor = value?.GetValue<string>();
                    s = s with { DotnetMonitor = monitor is null ? null : LinuxMonitorState.Normalize(monitor) };
                    break;
                case "dotnetmonitorversion":
                    s = s with { DotnetMonitorVersion = DotnetMonitorVersions.Normalize(value?.GetValue<string>() ?? DotnetMonitorVersions.Preview5) };
                    break;
                case "proxytimeoutms":
                    s = s with { ProxyTimeoutMs = Math.Max(1, value?.GetValue<int>() ?? DotnetMonitorVersions.KuduLiteProxyTimeoutMs) };
                    break;
                default:
                    throw new InvalidDataException(
                        $"Unknown setting '{name}'. Settable: latencyMs, dump, basicAuth, acceptedAudiences, authorizedPrincipals, dotnetMonitor, dotnetMonitorVersion, proxyTimeoutMs.");
            }
        }
        return s;
    }

    private object Stats() => new
    {
        sites = state.Sites.ToDictionary(s => s.Facts.Key, s => s.Stats.Snapshot()),
        identity = state.IdentityStats.Snapshot(),
        arm = state.ArmStats.Snapshot(),
    };

    private static object SettingsView(SiteSettings s) => new
    {
        latencyMs = s.LatencyMs,
        dump = new
        {
            sizes = s.Dump.Sizes.ToImmutableSortedDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value)
                .Add("default", s.Dump.DefaultSize),
            writeDelayMs = s.Dump.WriteDelayMs,
            paceBytesPerSecond = s.Dump.PaceBytesPerSecond,
        },
        basicAuth = new { userName = s.UserName, enabled = s.BasicAuthEnabled },
        acceptedAudiences = s.AcceptedAudiences,
        authorizedPrincipals = s.AuthorizedPrincipals?.Order(StringComparer.Ordinal).ToList(),
        dotnetMonitor = s.DotnetMonitor,
        dotnetMonitorVersion = s.DotnetMonitorVersion,
        proxyTimeoutMs = s.ProxyTimeoutMs,
    };

    private static Dictionary<string, IReadOnlyList<int>> LinuxTargetsView(SiteState site) =>
        site.Instances.ToDictionary(i => i.Id, i => i.LinuxTargets);

    private static object FaultsView(SiteState site) => site.FaultRules.Select(r => new
    {
        r.Route,
        r.Instance,
        r.Pid,
        r.DumpType,
        r.Count,
        r.Action,
        r.Status,
        r.RetryAfterSeconds,
        r.Message,
        r.PlainText,
        r.AfterBytes,
        r.DelayMs,
        r.Body,
        r.Every,
        used = r.Used,
    }).ToList();

    private static Task ErrorAsync(HttpContext ctx, RequestContext rc, int status, string message) =>
        Http.WriteJsonAsync(ctx, rc, status, new { error = message });
}
