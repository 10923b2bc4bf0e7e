using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using KuduEmulator;

// KuduEmulator [--scenario <file.json>] [--ready-file <path>] [--parent-pid <pid>] [--dump-temp <dir>]
// Binds only 127.0.0.1: one main port (ARM, managed identity, /_emulator control API) and one
// port per site with an SCM site (the site is known by the port a request arrives on).

string? scenarioPath = null, readyFile = null, dumpTemp = null;
int? parentPid = null;
bool hostile = false;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--scenario" when value is not null: scenarioPath = value; i++; break;
        case "--ready-file" when value is not null: readyFile = value; i++; break;
        case "--parent-pid" when int.TryParse(value, CultureInfo.InvariantCulture, out var pid): parentPid = pid; i++; break;
        case "--dump-temp" when value is not null: dumpTemp = Path.GetFullPath(value); i++; break;
        case "--hostile": hostile = true; break;
        case "-h" or "--help":
            Console.WriteLine("KuduEmulator [--scenario <file.json>] [--ready-file <path>] [--parent-pid <pid>] [--dump-temp <dir>]");
            return 0;
        default:
            Console.Error.WriteLine($"KuduEmulator: bad argument '{args[i]}'. Usage: KuduEmulator [--scenario <file.json>] [--ready-file <path>] [--parent-pid <pid>] [--dump-temp <dir>]");
            return 2;
    }
}

if (hostile)
{
    // A raw-socket Kudu that answers as broken servers do (tests/KuduEmulator/Hostile).
    return await KuduEmulator.Hostile.HostileKudu.RunAsync(readyFile, parentPid);
}

EmulatorState state;
try
{
    state = new EmulatorState(Scenario.Load(scenarioPath));
    state.DumpTempFolder = dumpTemp ?? state.DumpTempFolder;
}
catch (Exception ex) when (ex is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"KuduEmulator: cannot load scenario: {ex.Message}");
    return 2;
}

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries only the ready line
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));

// Run continuations on the socket threads: fewer thread hops, which matters for dump throughput.
// Safe here because no handler blocks.
builder.WebHost.UseSockets(so => so.UnsafePreferInlineScheduling = true);
ListenOptions? mainListener = null;
var siteListeners = new Dictionary<SiteState, ListenOptions>();
builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
{
    o.AddServerHeader = false;
    o.Limits.MinResponseDataRate = null;    // paced dumps may be slower than Kestrel's default floor
    o.Limits.MaxResponseBufferSize = 8 << 20; // let big dump writes pipeline into the socket
    o.Listen(IPAddress.Loopback, 0, l =>
    {
        l.Protocols = HttpProtocols.Http1;
        mainListener = l;
    });
    foreach (var site in state.Sites.Where(s => s.Facts.HasScm))
    {
        o.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http1;
            siteListeners[site] = l;
        });
    }
});

var app = builder.Build();
var kudu = new KuduRoutes(state);
var arm = new ArmRoutes(state);
var identity = new IdentityRoutes(state);
var control = new ControlRoutes(state, () => ReadyInfo(state));

var stopping = app.Lifetime.ApplicationStopping;
app.Run(async ctx =>
{
    // On shutdown cut slow requests (paced or delayed dumps) at once instead of waiting them out.
    using var _ = stopping.Register(ctx.Abort);
    if (state.SiteByPort(ctx.Connection.LocalPort) is { } site)
    {
        await kudu.HandleAsync(ctx, site);
        return;
    }
    var path = ctx.Request.Path;
    if (path.StartsWithSegments("/_emulator", StringComparison.OrdinalIgnoreCase))
    {
        await control.HandleAsync(ctx);
    }
    else if (path.StartsWithSegments("/msi/token", StringComparison.OrdinalIgnoreCase))
    {
        await identity.HandleAsync(ctx);
    }
    else
    {
        await arm.HandleAsync(ctx);
    }
});

try
{
    await app.StartAsync();
}
catch (IOException ex)
{
    Console.Error.WriteLine($"KuduEmulator: cannot listen: {ex.Message}");
    return 1;
}

// Kestrel writes the OS-chosen port back into each ListenOptions once bound.
state.MainPort = mainListener!.IPEndPoint!.Port;
state.BindPorts(siteListeners.ToDictionary(kv => kv.Key, kv => kv.Value.IPEndPoint!.Port));

var ready = JsonSerializer.Serialize(ReadyInfo(state), Http.WebJson);
if (readyFile is not null)
{
    // Write then rename: a reader polling for the file never sees half of it.
    var full = Path.GetFullPath(readyFile);
    var temp = $"{full}.{Environment.ProcessId}.tmp";
    await File.WriteAllTextAsync(temp, ready);
    File.Move(temp, full, overwrite: true);
}
try
{
    Console.Out.WriteLine(ready);
    Console.Out.Flush();
}
catch (IOException)
{
    // Nobody reads stdout (the ready file is the other channel): keep serving.
}

if (parentPid is { } ppid)
{
    _ = WatchParentAsync(ppid, app.Lifetime);
}
await app.WaitForShutdownAsync();
if (dumpTemp is null)
{
    // Our own temp folder for Linux dumps: nothing of it may outlive us.
    try
    {
        Directory.Delete(state.DumpTempFolder, recursive: true);
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
    }
}
return 0;

static object ReadyInfo(EmulatorState state) => new
{
    url = state.MainUrl,
    armUrl = state.MainUrl,
    identityEndpoint = $"{state.MainUrl}/msi/token",
    identityHeader = state.Identity.Header,
    pid = Environment.ProcessId,
    subscriptionId = state.SubscriptionId,
    resourceGroup = state.ResourceGroup,
    tenantId = state.TenantId,
    principalId = state.Identity.SystemPrincipalId,
    sites = state.Sites.Select(s => new
    {
        name = s.Facts.Name,
        slot = s.Facts.Slot,
        key = s.Facts.Key,
        scmUrl = s.ScmUrl,
        resourceId = s.Facts.ResourceId,
        userName = s.Settings.UserName,
        password = s.Settings.Password,
        instances = s.Instances.Select(i => i.Id).ToList(),
    }).ToList(),
};

// Tests start the emulator with their own pid: when the test host dies, so do we.
static async Task WatchParentAsync(int pid, IHostApplicationLifetime lifetime)
{
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
    try
    {
        while (await timer.WaitForNextTickAsync(lifetime.ApplicationStopping))
        {
            if (!IsAlive(pid))
            {
                lifetime.StopApplication();
                return;
            }
        }
    }
    catch (OperationCanceledException)
    {
        // Shutting down anyway.
    }
}

static bool IsAlive(int pid)
{
    try
    {
        using var process = Process.GetProcessById(pid);
        if (process.HasExited)
        {
            return false;
        }
    }
    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
    {
        return false;
    }
    // A dead parent nobody has reaped yet is still listed on Linux, as a zombie.
    var stat = $"/proc/{pid}/stat";
    try
    {
        if (File.Exists(stat))
        {
            var text = File.ReadAllText(stat);
            var close = text.LastIndexOf(')');
            return !(close > 0 && close + 2 < text.Length && text[close + 2] is 'Z' or 'X');
        }
    }
    catch (IOException)
    {
        return false;
    }
    return true;
}
