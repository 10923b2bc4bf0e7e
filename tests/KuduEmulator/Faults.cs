using System.Text.Json.Serialization;

namespace KuduEmulator;

/// <summary>
/// One fault rule (scenario "faults" or PUT /_emulator/sites/{name}/faults). The first rule that
/// matches a request and still has budget is applied; the others are not looked at.
/// </summary>
internal sealed class FaultRule
{
    public static readonly string[] Routes =
        ["any", "list", "detail", "dump", "threads", "modules", "environments", "kill", "arm"];

    public static readonly string[] Actions =
        ["status", "drop", "delay", "timeout", "badGateway", "badJson", "zipTruncated", "zipBadCrc", "zipNoDescriptor", "zipNotADump"];

    public string Route { get; set; } = "any";
    public string? Instance { get; set; }
    public int? Pid { get; set; }
    public long? DumpType { get; set; }
    /// <summary>Apply to the first N matching requests only; 0 or absent = every time.</summary>
    public int Count { get; set; }
    public string Action { get; set; } = "status";
    public int? Status { get; set; }
    public int? RetryAfterSeconds { get; set; }
    public string? Message { get; set; }
    public bool PlainText { get; set; }
    public long AfterBytes { get; set; }
    public int DelayMs { get; set; }
    /// <summary>badJson: the body to send (default: an HTML page).</summary>
    public string? Body { get; set; }
    /// <summary>Apply to the 1st, (N+1)th, (2N+1)th... matching request only: a steady share of faults. 0 or 1 = every one.</summary>
    public int Every { get; set; }

    private int _used;
    private int _seen;

    [JsonIgnore]
    public int Used => Volatile.Read(ref _used);

    public void Validate()
    {
        if (!Routes.Contains(Route, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Fault route '{Route}' is not one of {string.Join(", ", Routes)}.");
        }
        if (!Actions.Contains(Action, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Fault action '{Action}' is not one of {string.Join(", ", Actions)}.");
        }
        if (Count < 0 || AfterBytes < 0 || DelayMs < 0 || Every < 0)
        {
            throw new InvalidDataException("Fault count, every, afterBytes and delayMs cannot be negative.");
        }
        // Normalise once so matching can compare ordinally.
        Route = Routes.First(r => r.Equals(Route, StringComparison.OrdinalIgnoreCase));
        Action = Actions.First(a => a.Equals(Action, StringComparison.OrdinalIgnoreCase));
    }

    public FaultRule Clone()
    {
        var copy = (FaultRule)MemberwiseClone();
        copy._used = 0;
        copy._seen = 0;
        return copy;
    }

    public bool Matches(string route, string? instanceId, int? literalPid, int? resolvedPid, long? dumpType)
    {
        if (route == "arm" ? Route != "arm" : Route != "any" && Route != route)
        {
            return false;
        }
        if (Instance is not null && !string.Equals(Instance, instanceId, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (Pid is { } pid && pid != literalPid && pid != resolvedPid)
        {
            return false;
        }
        return DumpType is not { } type || type == dumpType;
    }

    /// <summary>Claims one use of the budget; false once a counted rule is spent.</summary>
    public bool TryConsume()
    {
        if (Every > 1 && (Interlocked.Increment(ref _seen) - 1) % Every != 0)
        {
            return false;
        }
        if (Count <= 0)
        {
            Interlocked.Increment(ref _used);
            return true;
        }
        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used >= Count)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _used, used + 1, used) == used)
            {
                return true;
            }
        }
    }
}

internal static class Faults
{
    public static FaultRule? Pick(IReadOnlyList<FaultRule> rules, string route, string? instanceId,
        int? literalPid, int? resolvedPid, long? dumpType)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(route, instanceId, literalPid, resolvedPid, dumpType) && rule.TryConsume())
            {
                return rule;
            }
        }
        return null;
    }

    /// <summary>
    /// Applies a fault's front-end part. Returns true when the response has been written (the
    /// request is over); false when the request must go on normally (delay, or drop which the
    /// body writer honours through <see cref="RequestContext.DropAfterBytes"/>).
    /// </summary>
    public static async Task<bool> ApplyAsync(HttpContext ctx, RequestContext rc, FaultRule rule, bool armStyle)
    {
        var ct = ctx.RequestAborted;
        switch (rule.Action)
        {
            case "delay":
                await Task.Delay(rule.DelayMs, ct);
                return false;

            case "drop":
                rc.DropAfterBytes = rule.AfterBytes;
                return false;

            case "zipTruncated" or "zipBadCrc" or "zipNoDescriptor" or "zipNotADump":
                rc.ZipFault = rule.Action;
                rc.ZipCutAfter = rule.AfterBytes;
                return false;

            case "timeout":
                await Task.Delay(rule.DelayMs, ct);
                await Http.WriteTextAsync(ctx, rc, 500, "text/html",
                    "500 - The request timed out. The web server failed to respond within the specified time.");
                return true;

            case "badGateway":
                await Task.Delay(rule.DelayMs, ct);
                await Http.WriteTextAsync(ctx, rc, 502, "text/html",
                    "502 - Web server received an invalid response while acting as a gateway or proxy server.");
                return true;

            case "badJson":
                await Http.WriteTextAsync(ctx, rc, 200, "application/json; charset=utf-8",
                    rule.Body ?? "<html><head><title>Service Unavailable</title></head><body><h1>The service is unavailable.</h1></body></html>");
                return true;

            default: // status
                var status = rule.Status ?? 503;
                if (rule.RetryAfterSeconds is { } seconds)
                {
                    ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                var message = rule.Message ?? DefaultMessage(status);
                if (rule.PlainText)
                {
                    await Http.WriteTextAsync(ctx, rc, status, "text/plain", message);
                }
                else if (armStyle)
                {
                    await Http.WriteArmErrorAsync(ctx, rc, status, status == 429 ? "TooManyRequests" : "ServiceUnavailable", message);
                }
                else
                {
                    await Http.WriteKuduErrorAsync(ctx, rc, status, message);
                }
                return true;
        }
    }

    private static string DefaultMessage(int status) => status switch
    {
        429 => "Too many requests. Please retry after some time.",
        500 => "An error has occurred.",
        503 => "The service is unavailable.",
        _ => $"Injected fault: HTTP {status}.",
    };
}
