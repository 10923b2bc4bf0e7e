using System.Globalization;

namespace KuduEmulator;

/// <summary>A request on an SCM port, classified the way Kudu's Web API routes would.</summary>
internal sealed class KuduRoute
{
    private static readonly string[] Prefixes = ["/api/processes", "/api/diagnostics/processes"];

    /// <summary>list, detail, dump, threads, modules, environments, kill, profile, other.</summary>
    public required string Kind { get; init; }
    /// <summary>Set when the path matches a route but not this verb (Web API answers 405).</summary>
    public bool WrongMethod { get; init; }
    /// <summary>Set when nothing matches (Web API answers 404 "No HTTP resource...").</summary>
    public bool NoResource { get; init; }
    public int? Id { get; init; }
    /// <summary>Thread id, module base address or environment filter.</summary>
    public string? Sub { get; init; }
    /// <summary>The path up to and including the process id (hrefs are built on it).</summary>
    public string ProcessPath { get; init; } = "";
    /// <summary>Path without a trailing slash.</summary>
    public string Path { get; init; } = "";

    public static KuduRoute Parse(string method, string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        var prefix = Prefixes.FirstOrDefault(p =>
            trimmed.StartsWith(p, StringComparison.OrdinalIgnoreCase)
            && (trimmed.Length == p.Length || trimmed[p.Length] == '/'));
        if (prefix is null)
        {
            return new KuduRoute { Kind = "other", NoResource = true, Path = trimmed };
        }

        var segments = trimmed[prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var get = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (segments.Length == 0)
        {
            return new KuduRoute { Kind = "list", WrongMethod = !get, Path = trimmed };
        }
        if (!int.TryParse(segments[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return new KuduRoute { Kind = "other", NoResource = true, Path = trimmed };
        }
        var processPath = trimmed[..(trimmed.IndexOf(segments[0], prefix.Length, StringComparison.Ordinal) + segments[0].Length)];
        var verb = segments.Length > 1 ? segments[1].ToLowerInvariant() : null;
        var (kind, ok, arity) = (verb, segments.Length) switch
        {
            (null, _) when HttpMethods.IsDelete(method) => ("kill", true, 1),
            (null, _) => ("detail", get, 1),
            ("dump", 2) => ("dump", get, 2),
            ("stop", 2) => ("kill", HttpMethods.IsPost(method), 2),
            ("threads", 2 or 3) => ("threads", get, segments.Length),
            ("modules", 2 or 3) => ("modules", get, segments.Length),
            ("environments", 3) => ("environments", get, 3),
            ("profile", 3) when segments[2].Equals("start", StringComparison.OrdinalIgnoreCase) => ("profile", HttpMethods.IsPost(method), 3),
            ("profile", 3) when segments[2].Equals("stop", StringComparison.OrdinalIgnoreCase) => ("profile", get, 3),
            _ => ("other", false, -1),
        };
        if (arity < 0)
        {
            return new KuduRoute { Kind = "other", NoResource = true, Path = trimmed };
        }
        return new KuduRoute
        {
            Kind = kind,
            WrongMethod = !ok,
            Id = id,
            Sub = segments.Length > 2 ? segments[2] : null,
            ProcessPath = processPath,
            Path = trimmed,
        };
    }
}
