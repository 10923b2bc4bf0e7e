using System.Reflection;
using Microsoft.Diagnostics.NETCore.Client;

namespace KuduEmulator;

/// <summary>The states of dotnet-monitor behind a Linux site (scenario / settings "dotnetMonitor").</summary>
internal static class LinuxMonitorState
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";
    public const string NotRunning = "notRunning";
    public const string Unreachable = "unreachable";
    /// <summary>dotnet-monitor requires its own API key: what KuduLite forwards (our Authorization header) gets 401.</summary>
    public const string ApiKey = "apiKey";

    private static readonly string[] All = [Enabled, Disabled, NotRunning, Unreachable, ApiKey];

    public static string Normalize(string value) =>
        All.FirstOrDefault(v => v.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidDataException($"dotnetMonitor '{value}' is not one of {string.Join(", ", All)}.");
}

/// <summary>
/// Which dotnet-monitor answers behind KuduLite (scenario / settings "dotnetMonitorVersion"). KuduLite forwards to
/// /processes/{pid} and /dump/{pid}: dotnet-monitor served those up to 5.0.0-preview.5 (2021-06); from
/// 5.0.0-preview.6 on it serves /process?pid= and /dump?pid=, and the path forms fall through to an empty 404.
/// </summary>
internal static class DotnetMonitorVersions
{
    /// <summary>5.0.0-preview.5: path routes; list items {pid, uid, name}; 429 with an empty body.</summary>
    public const string Preview5 = "preview5";

    /// <summary>5.0.0-preview.6 and later (6.x, 7.x, 8.x, 9.x): the list still answers; path detail and dump: 404, empty.</summary>
    public const string Ga = "ga";

    /// <summary>KuduLite's DotnetMonitorProxyClient: HttpClient.Timeout = 10 minutes (Startup.cs).</summary>
    public const int KuduLiteProxyTimeoutMs = 600_000;

    private static readonly string[] All = [Preview5, Ga];

    public static string Normalize(string value) =>
        All.FirstOrDefault(v => v.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidDataException($"dotnetMonitorVersion '{value}' is not one of {string.Join(", ", All)}.");
}

/// <summary>One .NET process as dotnet-monitor describes it (GET /processes/{pid}).</summary>
internal sealed record MonitoredProcess(
    int Pid, Guid Uid, string Name, string CommandLine, string OperatingSystem, string ProcessArchitecture);

/// <summary>
/// What dotnet-monitor in an instance's app container sees, backed by the runtime's real diagnostics
/// IPC (the library dotnet-monitor itself uses). Only the pids given to the instance are visible, so
/// the emulator, pwsh and anything else on this machine are never listed.
/// </summary>
internal static class LinuxMonitor
{
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(5);

    // GetProcessInfoAsync is internal in Microsoft.Diagnostics.NETCore.Client (dotnet-monitor reaches it
    // through InternalsVisibleTo). The package version is pinned; if a new one renames it, this fails at
    // the first listing with a clear message rather than returning wrong data.
    private static readonly Lazy<MethodInfo> GetProcessInfoAsync = new(() =>
        typeof(DiagnosticsClient).GetMethod("GetProcessInfoAsync", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(CancellationToken)])
        ?? throw new MissingMethodException("DiagnosticsClient.GetProcessInfoAsync(CancellationToken) is gone: update LinuxMonitor for this version of Microsoft.Diagnostics.NETCore.Client."));

    public static async Task<IReadOnlyList<MonitoredProcess>> ListAsync(InstanceState instance, CancellationToken ct)
    {
        var targets = instance.LinuxTargets;
        if (targets.Count == 0)
        {
            return [];
        }
        var published = DiagnosticsClient.GetPublishedProcesses().ToHashSet();
        var result = new List<MonitoredProcess>();
        foreach (var pid in targets.Where(published.Contains).Order())
        {
            if (await DescribeAsync(pid, ct) is { } process)
            {
                result.Add(process);
            }
        }
        return result;
    }

    public static async Task<MonitoredProcess?> FindAsync(InstanceState instance, int pid, CancellationToken ct) =>
        instance.LinuxTargets.Contains(pid) && DiagnosticsClient.GetPublishedProcesses().Contains(pid)
            ? await DescribeAsync(pid, ct)
            : null;

    /// <summary>dotnet-monitor's ?type= binding: an enum name (any case) or its number (Full=1 ... Triage=4).</summary>
    public static bool TryParseType(string text, out DumpType type, out string name)
    {
        (type, name) = (DumpType.WithHeap, "WithHeap");
        if (text.Length == 0)
        {
            return true; // KuduLite's default
        }
        (DumpType, string)? parsed = text.Trim().ToLowerInvariant() switch
        {
            "full" or "1" => (DumpType.Full, "Full"),
            "mini" or "2" => (DumpType.Normal, "Mini"),
            "withheap" or "3" => (DumpType.WithHeap, "WithHeap"),
            "triage" or "4" => (DumpType.Triage, "Triage"),
            _ => null,
        };
        if (parsed is not { } found)
        {
            return false;
        }
        (type, name) = found;
        return true;
    }

    /// <summary>Has the target's runtime write a real dump (createdump) to <paramref name="path"/>.</summary>
    public static Task WriteDumpAsync(int pid, DumpType type, string path, CancellationToken ct) =>
        new DiagnosticsClient(pid).WriteDumpAsync(type, path, logDumpGeneration: false, ct);

    private static async Task<MonitoredProcess?> DescribeAsync(int pid, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(InfoTimeout);
        try
        {
            var task = (Task)GetProcessInfoAsync.Value.Invoke(new DiagnosticsClient(pid), [timeout.Token])!;
            await task;
            var info = task.GetType().GetProperty("Result")!.GetValue(task)!;
            string Text(string property) => info.GetType().GetProperty(property)?.GetValue(info) as string ?? "";
            var cookie = info.GetType().GetProperty("RuntimeInstanceCookie")?.GetValue(info) as Guid? ?? Guid.Empty;
            var commandLine = Text("CommandLine");
            return new MonitoredProcess(pid, cookie, NameFrom(commandLine, pid), commandLine,
                Text("OperatingSystem"), Text("ProcessArchitecture"));
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or OperationCanceledException or IOException or TimeoutException
                                       or TargetInvocationException { InnerException: DiagnosticsClientException })
        {
            return null; // exited or not answering: dotnet-monitor leaves it out
        }
    }

    /// <summary>dotnet-monitor names a process after the executable of its command line ("dotnet" for "dotnet app.dll").</summary>
    private static string NameFrom(string commandLine, int pid)
    {
        var line = commandLine.TrimStart();
        var exe = line.StartsWith('"')
            ? line[1..Math.Max(1, line.IndexOf('"', 1))]
            : line.Split(' ', 2)[0];
        if (exe.Length > 0)
        {
            return Path.GetFileName(exe);
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return "";
        }
    }
}
