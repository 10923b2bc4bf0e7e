using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace KuduEmulator.Hostile;

/// <summary>
/// A Kudu that lies: a raw TCP server (no Kestrel, so nothing tidies its answers) that speaks Kudu's process API
/// for one site with one instance and, per route, answers as a broken front end, proxy or worker would: a body
/// that ends when the connection closes, a redirect, an HTML page, a length that lies, a drip, a huge body, a bad
/// cookie, control characters, malformed JSON. Started with <c>KuduEmulator --hostile</c>; set a case with
/// <c>GET /_hostile/set?route=dump&amp;case=closeDelimited&amp;cut=0.25</c> (no credentials needed there).
/// </summary>
internal sealed class HostileKudu
{
    public const string UserName = "$hostile";
    public const string Instance = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";

    private readonly string _password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
    private readonly ConcurrentDictionary<string, HostileCase> _cases = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.OrdinalIgnoreCase);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private string _platform = "windows";
    private byte[] _dump = HostileDump.Minidump(3 * 1024 * 1024 + 123);
    // Blob storage behind the corrupting proxy, and how many block bodies it still damages.
    private Uri? _storage;
    private int _corruptBlocks;
    private DateTime _frozenStamp = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static async Task<int> RunAsync(string? readyFile, int? parentPid)
    {
        var server = new HostileKudu();
        server._listener.Start();
        var ready = JsonSerializer.Serialize(new
        {
            url = $"http://127.0.0.1:{server.Port}",
            userName = UserName,
            password = server._password,
            instance = Instance,
            pid = Environment.ProcessId,
        });
        Console.WriteLine(ready);
        if (readyFile != null)
        {
            var tmp = $"{readyFile}.{Environment.ProcessId}.tmp";
            await File.WriteAllTextAsync(tmp, ready);
            File.Move(tmp, readyFile, overwrite: true);
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        if (parentPid is int parent)
        {
            _ = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(1000);
                    try { if (System.Diagnostics.Process.GetProcessById(parent).HasExited) { stop.Cancel(); } }
                    catch (ArgumentException) { stop.Cancel(); }
                }
            });
        }
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await server._listener.AcceptTcpClientAsync(stop.Token);
                _ = Task.Run(() => server.ServeAsync(client, stop.Token));
            }
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            try
            {
                var request = await HostileRequest.ReadAsync(stream, ct);
                if (request == null)
                {
                    return;
                }
                if (_storage != null && request.Path.StartsWith("/devstoreaccount1", StringComparison.Ordinal))
                {
                    await CorruptingProxy.ForwardAsync(request, stream, _storage, () => Interlocked.Decrement(ref _corruptBlocks) >= 0, ct);
                    return;
                }
                await HandleAsync(request, new HostileResponse(stream), ct);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client hung up on us: that is often the point.
            }
        }
    }

    private async Task HandleAsync(HostileRequest request, HostileResponse response, CancellationToken ct)
    {
        if (request.Path.StartsWith("/_hostile/", StringComparison.Ordinal))
        {
            await ControlAsync(request, response, ct);
            return;
        }

        if (request.Header("Authorization") != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{_password}")))
        {
            await response.SendAsync(401, "text/html", Encoding.UTF8.GetBytes("<html><body>401 Unauthorized</body></html>"), ct: ct);
            return;
        }

        string route = RouteOf(request.Path, out int? pid);
        _requests.AddOrUpdate(route, 1, (_, n) => n + 1);
        byte[] body = NormalBody(route, pid);
        string contentType = route == "dump" ? "application/octet-stream" : "application/json; charset=utf-8";
        if (route == "notfound")
        {
            await response.SendAsync(404, "application/json; charset=utf-8", Encoding.UTF8.GetBytes("{\"Message\":\"No HTTP resource was found.\"}"), ct: ct);
            return;
        }

        if ((_cases.TryGetValue(route, out var c) || _cases.TryGetValue("any", out c)) && c.TryUse())
        {
            await c.ServeAsync(response, body, contentType, ct);
            return;
        }

        await response.SendAsync(200, contentType, body, HostileCase.Affinity(Instance), ct);
    }

    private static string RouteOf(string path, out int? pid)
    {
        pid = null;
        string[] parts = path.Trim('/').Split('/');
        if (parts is ["api", "environment"]) { return "env"; }
        if (parts is ["api", "processes"]) { return "list"; }
        if (parts.Length >= 3 && parts[0] == "api" && parts[1] == "processes" && int.TryParse(parts[2], CultureInfo.InvariantCulture, out int id))
        {
            pid = id;
            if (parts.Length == 3) { return "detail"; }
            if (parts.Length == 4 && parts[3] == "dump") { return "dump"; }
        }
        return "notfound";
    }

    private byte[] NormalBody(string route, int? pid)
    {
        bool linux = _platform == "linux";
        object value = route switch
        {
            "env" => new { version = "110.0.0.0", siteLastModified = "2026-12-01T08:00:00Z" },
            "list" when linux => new object[] { new { pid = 4100, uid = "9d3c6f0e-2f5b-4d7e-8a1b-3c4d5e6f7a8b", name = "dotnet" } },
            "list" => new object[]
            {
                new { id = 4100, name = "w3wp", href = "http://hostile/api/processes/4100", user_name = "IIS APPPOOL\\hostile" },
                new { id = 4200, name = "w3wp", href = "http://hostile/api/processes/4200", user_name = "IIS APPPOOL\\~1hostile" },
            },
            "detail" when linux => new { pid = pid ?? 4100, uid = "9d3c6f0e-2f5b-4d7e-8a1b-3c4d5e6f7a8b", name = "dotnet", commandLine = "dotnet app.dll", operatingSystem = "linux", processArchitecture = "x64" },
            "detail" => Detail(pid ?? 4100),
            _ => null!,
        };
        return route == "dump" ? _dump : JsonSerializer.SerializeToUtf8Bytes(value);
    }

    private Dictionary<string, object?> Detail(int pid)
    {
        bool frozen = _cases.TryGetValue("stamp", out var c) && c.Kind == "frozen";
        return new Dictionary<string, object?>
        {
            ["id"] = pid,
            ["name"] = "w3wp",
            ["href"] = $"http://hostile/api/processes/{pid}",
            ["user_name"] = pid == 4200 ? "IIS APPPOOL\\~1hostile" : "IIS APPPOOL\\hostile",
            ["machineName"] = "HOSTILE-VM",
            ["start_time"] = "2026-12-01T07:00:00Z",
            ["time_stamp"] = (frozen ? _frozenStamp : DateTime.UtcNow).ToString("o", CultureInfo.InvariantCulture),
            ["total_cpu_time"] = "00:00:05",
            ["working_set"] = 600L * 1024 * 1024,
            ["private_memory"] = 900L * 1024 * 1024,
            ["thread_count"] = 40,
            ["handle_count"] = 900,
            ["environment_variables"] = new Dictionary<string, string> { ["NUMBER_OF_PROCESSORS"] = "2" },
        };
    }

    private async Task ControlAsync(HostileRequest request, HostileResponse response, CancellationToken ct)
    {
        string verb = request.Path["/_hostile/".Length..];
        switch (verb)
        {
            case "set":
                var hostileCase = HostileCase.From(request.Query);
                _cases[request.Query.GetValueOrDefault("route", "any")] = hostileCase;
                break;
            case "reset":
                _cases.Clear();
                _requests.Clear();
                break;
            case "platform":
                _platform = request.Query.GetValueOrDefault("value", "windows");
                break;
            case "dump":
                _dump = request.Query.TryGetValue("path", out var path)
                    ? await File.ReadAllBytesAsync(path, ct)
                    : HostileDump.Minidump(long.Parse(request.Query.GetValueOrDefault("length", "3145851"), CultureInfo.InvariantCulture));
                break;
            case "expected":
                await response.SendAsync(200, "application/octet-stream", _dump, ct: ct);
                return;
            case "storage":
                // Requests under /devstoreaccount1 go on to this blob endpoint, the next N block bodies damaged.
                _storage = new Uri(request.Query["target"]);
                _corruptBlocks = int.Parse(request.Query.GetValueOrDefault("corrupt", "1"), CultureInfo.InvariantCulture);
                break;
            case "stats":
                await response.SendAsync(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(_requests), ct: ct);
                return;
            default:
                await response.SendAsync(404, "text/plain", "unknown control verb"u8.ToArray(), ct: ct);
                return;
        }
        await response.SendAsync(204, "text/plain", [], ct: ct);
    }
}

/// <summary>The bytes of the dumps the hostile server serves.</summary>
internal static class HostileDump
{
    /// <summary>A minidump of exactly <paramref name="length"/> bytes by its own structure; the rest pseudo-random.</summary>
    public static byte[] Minidump(long length)
    {
        var bytes = new byte[length];
        new Random(21).NextBytes(bytes);
        DumpContent.MinidumpHeader(length).CopyTo(bytes, 0);
        return bytes;
    }
}
