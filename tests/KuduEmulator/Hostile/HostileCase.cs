using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace KuduEmulator.Hostile;

/// <summary>
/// One way to answer badly, from the query of /_hostile/set: case = status | redirect | html | empty | notADump |
/// closeDelimited | lyingLength | drip | dripHeaders | hugeLength | hugeBody | cookie | json | frozen; with
/// status, body, contentType, location, retryAfter, cut (0..1 of the body), dripMs, length, cookie, count.
/// </summary>
internal sealed class HostileCase
{
    private int _left;

    public string Kind { get; private init; } = "status";
    public int Status { get; private init; } = 500;
    public string? Body { get; private init; }
    public string ContentType { get; private init; } = "text/plain";
    public string? Location { get; private init; }
    public string? RetryAfter { get; private init; }
    public double Cut { get; private init; } = 1.0;
    public int DripMs { get; private init; } = 1000;
    public long Length { get; private init; }
    public string? Cookie { get; private init; }

    public static HostileCase From(IReadOnlyDictionary<string, string> q) => new()
    {
        Kind = q.GetValueOrDefault("case", "status"),
        Status = int.Parse(q.GetValueOrDefault("status", "500"), CultureInfo.InvariantCulture),
        Body = q.GetValueOrDefault("body"),
        ContentType = q.GetValueOrDefault("contentType", "text/plain"),
        Location = q.GetValueOrDefault("location"),
        RetryAfter = q.GetValueOrDefault("retryAfter"),
        Cut = double.Parse(q.GetValueOrDefault("cut", "1"), CultureInfo.InvariantCulture),
        DripMs = int.Parse(q.GetValueOrDefault("dripMs", "1000"), CultureInfo.InvariantCulture),
        Length = long.Parse(q.GetValueOrDefault("length", "0"), CultureInfo.InvariantCulture),
        Cookie = q.GetValueOrDefault("cookie"),
        _left = int.Parse(q.GetValueOrDefault("count", "0"), CultureInfo.InvariantCulture) is > 0 and var n ? n : int.MaxValue,
    };

    /// <summary>Claims one use; a counted case answers normally once spent.</summary>
    public bool TryUse() => Interlocked.Decrement(ref _left) >= 0;

    public static string Affinity(string instance) => $"Set-Cookie: ARRAffinity={instance};Path=/;HttpOnly;Domain=hostile\r\n";

    public async Task ServeAsync(HostileResponse r, byte[] normal, string normalType, CancellationToken ct)
    {
        string affinity = Affinity(HostileKudu.Instance);
        switch (Kind)
        {
            case "redirect":
                await r.SendAsync(Status is >= 300 and < 400 ? Status : 302, "text/html", [], affinity + $"Location: {Location ?? "https://login.example.net/signin"}\r\n", ct);
                break;
            case "html":
                await r.SendAsync(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(Body ?? "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>Sign in</body></html>"), affinity, ct);
                break;
            case "empty":
                await r.SendAsync(200, normalType, [], affinity, ct);
                break;
            case "notADump":
                await r.SendAsync(200, "application/octet-stream", Encoding.UTF8.GetBytes(Body ?? "{\"error\":\"the dump could not be written\"}"), affinity, ct);
                break;
            case "closeDelimited":
                // HTTP/1.0 style: no Content-Length, no chunks; the end of the body is the end of the connection.
                await r.SendHeadAsync(200, normalType, null, affinity + "Connection: close\r\n", ct);
                await r.SendBodyAsync(normal, (int)(normal.Length * Cut), ct);
                break;
            case "lyingLength":
                await r.SendHeadAsync(200, normalType, normal.Length, affinity, ct);
                await r.SendBodyAsync(normal, (int)(normal.Length * Cut), ct);
                break;
            case "drip":
                await r.SendHeadAsync(200, normalType, normal.Length, affinity, ct);
                foreach (byte b in normal)
                {
                    await r.SendBodyAsync([b], 1, ct);
                    await Task.Delay(DripMs, ct);
                }
                break;
            case "dripHeaders":
                foreach (byte b in Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX-Slow: yes\r\n"))
                {
                    await r.SendBodyAsync([b], 1, ct);
                    await Task.Delay(DripMs, ct);
                }
                break;
            case "hugeLength":
                await r.SendHeadAsync(200, normalType, Length > 0 ? Length : 2306867200L, affinity, ct);
                await SpacesAsync(r, Length > 0 ? Length : 2306867200L, ct);
                break;
            case "hugeBody":
                await r.SendHeadAsync(200, normalType, null, affinity + "Connection: close\r\n", ct);
                await r.SendBodyAsync("["u8.ToArray(), 1, ct);
                await SpacesAsync(r, Length > 0 ? Length : 200L * 1024 * 1024, ct);
                break;
            case "cookie":
                await r.SendAsync(200, normalType, normal, $"Set-Cookie: ARRAffinity={Cookie};Path=/\r\n", ct);
                break;
            case "json":
                await r.SendAsync(Status is >= 200 and < 600 && Status != 500 ? Status : 200, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(Body ?? "[]"), affinity, ct);
                break;
            case "frozen":
                await r.SendAsync(200, normalType, normal, affinity, ct);
                break;
            default: // status
                string extra = affinity + (RetryAfter != null ? $"Retry-After: {RetryAfter}\r\n" : string.Empty);
                await r.SendAsync(Status, ContentType, Encoding.UTF8.GetBytes(Body ?? $"Injected {Status}."), extra, ct);
                break;
        }
    }

    private static async Task SpacesAsync(HostileResponse r, long length, CancellationToken ct)
    {
        var block = new byte[1 << 20];
        Array.Fill(block, (byte)' ');
        for (long sent = 0; sent < length; sent += block.Length)
        {
            await r.SendBodyAsync(block, (int)Math.Min(block.Length, length - sent), ct);
        }
    }
}

/// <summary>Writes raw HTTP/1.1 answers; every answer closes the connection after it.</summary>
internal sealed class HostileResponse(NetworkStream stream)
{
    public async Task SendAsync(int status, string contentType, byte[] body, string extraHeaders = "", CancellationToken ct = default)
    {
        await SendHeadAsync(status, contentType, body.Length, extraHeaders, ct);
        await SendBodyAsync(body, body.Length, ct);
    }

    public async Task SendHeadAsync(int status, string contentType, long? length, string extraHeaders, CancellationToken ct)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {Reason(status)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        if (length is long n)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {n}\r\n");
        }
        if (!extraHeaders.Contains("Connection:", StringComparison.Ordinal))
        {
            head.Append("Connection: close\r\n");
        }
        head.Append(extraHeaders).Append("\r\n");
        // UTF-8, not ASCII: a hostile header may carry bytes a proper server would refuse to send.
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), ct);
    }

    public async Task SendBodyAsync(byte[] body, int count, CancellationToken ct)
    {
        await stream.WriteAsync(body.AsMemory(0, count), ct);
        await stream.FlushAsync(ct);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 204 => "No Content", 301 => "Moved Permanently", 302 => "Found", 307 => "Temporary Redirect",
        401 => "Unauthorized", 404 => "Not Found", 429 => "Too Many Requests", 500 => "Internal Server Error",
        502 => "Bad Gateway", 503 => "Service Unavailable", _ => "Status",
    };
}

/// <summary>The request line and headers of one request (bodies are not read: Kudu's routes here are GETs).</summary>
internal sealed class HostileRequest
{
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

    public string Path { get; private init; } = "/";
    public string RequestLine { get; private init; } = string.Empty;
    public Dictionary<string, string> Query { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every header as sent, in order (a proxy forwards them).</summary>
    public List<(string Name, string Value)> Headers { get; } = new();

    public string? Header(string name) => _headers.GetValueOrDefault(name);

    public static async Task<HostileRequest?> ReadAsync(NetworkStream stream, CancellationToken ct)
    {
        var head = new List<byte>(1024);
        var one = new byte[1];
        while (head.Count < 65536)
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                return null;
            }
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }
        string[] lines = Encoding.UTF8.GetString(head.ToArray()).Split("\r\n");
        string[] first = lines[0].Split(' ');
        string target = first.Length > 1 ? first[1] : "/";
        int q = target.IndexOf('?');
        var request = new HostileRequest { Path = Uri.UnescapeDataString(q < 0 ? target : target[..q]), RequestLine = lines[0] };
        if (q >= 0)
        {
            foreach (string pair in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                request.Query[key] = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                request._headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                request.Headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }
        return request;
    }
}
