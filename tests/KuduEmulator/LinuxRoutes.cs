using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KuduEmulator;

/// <summary>
/// A Linux site's SCM site: KuduLite's LinuxProcessController in front of dotnet-monitor in each
/// instance's app container. KuduLite forwards list, detail and dump to dotnet-monitor when the app
/// setting WEBSITE_USE_DOTNET_MONITOR is on, answers threads/modules/kill itself with a JSON string,
/// and has no process API at all on Linux Consumption and Flex Consumption. Which dotnet-monitor
/// answers is a setting (<see cref="DotnetMonitorVersions"/>): only preview5 serves KuduLite's routes.
/// </summary>
internal sealed partial class LinuxRoutes(EmulatorState state)
{
    public const string NotSupported = "Not supported on Linux";
    public const string NotConfigured = "The dotnet-monitor tool is not configured to run";

    /// <summary>
    /// True when the Linux face answers for this site. A Linux site without a "dotnetMonitor" setting
    /// keeps the emulator's older answer (a Web API JSON 400), which today's client tests rely on.
    /// </summary>
    public static bool Serves(SiteState site) =>
        site.Facts.HasNoProcessApi || (site.Facts.IsLinux && site.Settings.DotnetMonitor is not null);

    public async Task HandleAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, KuduRoute route)
    {
        if (site.Facts.HasNoProcessApi)
        {
            await Http.WriteStatusAsync(ctx, 404); // only deployment routes exist there
            return;
        }
        if (route.WrongMethod)
        {
            await Http.WriteStatusAsync(ctx, 405); // ASP.NET Core routing: no body
            return;
        }
        if (route.Kind == "dump")
        {
            await DumpAsync(ctx, rc, site, instance, route);
            return;
        }

        var fault = Faults.Pick(site.FaultRules, route.Kind, instance.Id, route.Id, route.Id, null);
        if (fault is not null)
        {
            site.Stats.FaultApplied(fault);
            if (await Faults.ApplyAsync(ctx, rc, fault, armStyle: false))
            {
                return;
            }
        }
        switch (route.Kind)
        {
            case "list":
                await ListAsync(ctx, rc, site, instance);
                break;
            case "detail":
                await DetailAsync(ctx, rc, site, instance, route.Id!.Value);
                break;
            case "environments":
                await EnvironmentsAsync(ctx, rc, site, instance, route.Sub!);
                break;
            default: // threads, modules, kill: KuduLite's JsonResult of a plain string
                await Http.WriteBytesAsync(ctx, rc, 400, Http.JsonContentType, JsonSerializer.SerializeToUtf8Bytes(NotSupported));
                break;
        }
    }

    private static async Task ListAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance)
    {
        if (await RefuseAsync(ctx, site, instance) is not null || await MonitorRefusesAsync(ctx, site, "list") is not null)
        {
            return;
        }
        var ga = site.Settings.DotnetMonitorVersion == DotnetMonitorVersions.Ga;
        var processes = await LinuxMonitor.ListAsync(instance, ctx.RequestAborted);
        await Http.WriteJsonAsync(ctx, rc, 200, w =>
        {
            w.WriteStartArray();
            foreach (var p in processes)
            {
                w.WriteStartObject();
                w.WriteNumber("pid", p.Pid);
                w.WriteString("uid", p.Uid);
                w.WriteString("name", p.Name);
                if (ga)
                {
                    // Since 5.0.0-preview.6: with a single .NET process in the container it is the default one.
                    w.WriteBoolean("isDefault", processes.Count == 1);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private static async Task DetailAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, int pid)
    {
        if (await RefuseAsync(ctx, site, instance) is not null || await MonitorRefusesAsync(ctx, site, "detail") is not null)
        {
            return;
        }
        var p = await LinuxMonitor.FindAsync(instance, pid, ctx.RequestAborted);
        if (p is null)
        {
            await NoTargetAsync(ctx, rc);
            return;
        }
        await Http.WriteJsonAsync(ctx, rc, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("pid", p.Pid);
            w.WriteString("uid", p.Uid);
            w.WriteString("name", p.Name);
            w.WriteString("commandLine", p.CommandLine);
            w.WriteString("operatingSystem", p.OperatingSystem);
            w.WriteString("processArchitecture", p.ProcessArchitecture);
            w.WriteEndObject();
        });
    }

    /// <summary>KuduLite answers with its own container's environment, whatever the process id.</summary>
    private static Task EnvironmentsAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, string filter)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["APPSETTING_WEBSITE_USE_DOTNET_MONITOR"] = site.Settings.DotnetMonitor == LinuxMonitorState.Disabled ? "false" : "true",
            ["COMPUTERNAME"] = instance.MachineName,
            ["HOME"] = "/home",
            ["KUDU_APPPATH"] = "/opt/Kudu",
            ["WEBSITE_INSTANCE_ID"] = instance.Id,
            ["WEBSITE_ROLE_INSTANCE_ID"] = "0",
            ["WEBSITE_SITE_NAME"] = site.Facts.Name,
        };
        var all = filter.Equals("all", StringComparison.OrdinalIgnoreCase);
        return Http.WriteJsonAsync(ctx, rc, 200, w =>
        {
            w.WriteStartObject();
            foreach (var (key, value) in env.Where(kv => all || kv.Key.Contains(filter, StringComparison.OrdinalIgnoreCase)))
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// KuduLite's gate before it proxies: the app setting, then the container's dotnet-monitor address,
    /// then the proxy itself. Writes the refusal and returns the outcome for the stats; null when enabled.
    /// </summary>
    private static async Task<string?> RefuseAsync(HttpContext ctx, SiteState site, InstanceState instance)
    {
        switch (site.Settings.DotnetMonitor)
        {
            case LinuxMonitorState.Disabled:
                await RawTextAsync(ctx, 400, NotSupported);
                return "notSupported";
            case LinuxMonitorState.NotRunning:
                await RawTextAsync(ctx, 404, NotConfigured);
                return "notRunning";
            case LinuxMonitorState.Unreachable:
                await RawTextAsync(ctx, 502, ProxyRefused());
                return "unreachable";
            default:
                return null;
        }
    }

    /// <summary>
    /// dotnet-monitor's own answers before any handler runs, passed back by KuduLite's proxy as they are: a path
    /// route that version does not serve (ga: detail and dump), then its authentication (the default challenge:
    /// 401, no body). Null when the request reaches the handler.
    /// </summary>
    private static async Task<string?> MonitorRefusesAsync(HttpContext ctx, SiteState site, string kind)
    {
        if (kind != "list" && site.Settings.DotnetMonitorVersion == DotnetMonitorVersions.Ga)
        {
            await Http.WriteStatusAsync(ctx, 404); // no endpoint matches: ASP.NET Core's empty 404
            return "routeNotServed";
        }
        if (site.Settings.DotnetMonitor == LinuxMonitorState.ApiKey)
        {
            await Http.WriteStatusAsync(ctx, 401);
            return "unauthorized";
        }
        return null;
    }

    /// <summary>
    /// AspNetCore.Proxy's 502 when the forward throws: "Request could not be proxied.", a blank line, the
    /// exception's message, a blank line, its stack (KuduLite runs on netcoreapp2.2, whose messages these are).
    /// </summary>
    private static string ProxyFailure(string message, params string[] frames) =>
        $"Request could not be proxied.\n\n{message}\n\n" + string.Join("\n", frames.Select(f => "   at " + f))
        + "\n   at AspNetCore.Proxy.HttpExtensions.ExecuteHttpProxyOperationAsync(HttpContext context, String uri, HttpProxyOptions options)";

    /// <summary>The connection to the container's dotnet-monitor (169.254.x.y:50051) was refused.</summary>
    private static string ProxyRefused() => ProxyFailure("Connection refused",
        "System.Net.Http.ConnectHelper.ConnectAsync(String host, Int32 port, CancellationToken cancellationToken)",
        "System.Net.Http.HttpConnectionPool.CreateConnectionAsync(HttpRequestMessage request, CancellationToken cancellationToken)");

    /// <summary>KuduLite's proxy client (HttpClient.Timeout 10 minutes) gave up waiting for dotnet-monitor's answer.</summary>
    internal static string ProxyCanceled() => ProxyFailure("The operation was canceled.",
        "System.Net.Http.HttpClient.FinishSendAsyncUnbuffered(Task`1 sendTask, HttpRequestMessage request, CancellationTokenSource cts, Boolean disposeCts)");

    /// <summary>KuduLite writes these straight to the body: no Content-Type, no Content-Length (chunked).</summary>
    private static async Task RawTextAsync(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ctx.RequestAborted);
    }

    /// <summary>dotnet-monitor's answer for a pid it cannot see (an ArgumentException as ProblemDetails).</summary>
    private static Task NoTargetAsync(HttpContext ctx, RequestContext rc) =>
        ProblemAsync(ctx, rc, 400, "Bad Request", "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "Unable to discover a target process.");

    private static Task ProblemAsync(HttpContext ctx, RequestContext rc, int status, string title, string type, string? detail,
        Action<Utf8JsonWriter>? extensions = null) =>
        Http.WriteBytesAsync(ctx, rc, status, "application/problem+json; charset=utf-8", Http.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("title", title);
            w.WriteNumber("status", status);
            if (detail is not null)
            {
                w.WriteString("detail", detail);
            }
            extensions?.Invoke(w);
            w.WriteString("traceId", string.Create(CultureInfo.InvariantCulture,
                $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-00"));
            w.WriteEndObject();
        }));
}
