using System.Globalization;
using System.IO.Compression;
using Microsoft.Net.Http.Headers;

namespace KuduEmulator;

/// <summary>
/// One SCM site: the App Service front end (affinity, auth, faults, latency) in front of Kudu's
/// process API. Order of the front end: latency, instance, auth, faults; then Kudu.
/// </summary>
internal sealed class KuduRoutes(EmulatorState state)
{
    private const string DumpFileInUse =
        @"The process cannot access the file 'C:\home\LogFiles\minidump\minidump.dmp' because it is being used by another process.";

    public async Task HandleAsync(HttpContext ctx, SiteState site)
    {
        var rc = new RequestContext();
        var route = KuduRoute.Parse(ctx.Request.Method, ctx.Request.Path.Value ?? "/");
        site.Stats.RequestStarted(route.Kind);
        try
        {
            var ct = ctx.RequestAborted;
            var settings = site.Settings;
            if (settings.LatencyMs > 0)
            {
                await Task.Delay(settings.LatencyMs, ct);
            }

            var instance = site.PickInstance(ctx.Request.Cookies["ARRAffinity"] is { } a && site.FindInstance(a) is not null
                ? a
                : ctx.Request.Cookies["ARRAffinitySameSite"]);
            SetFrontEndHeaders(ctx, instance);

            var auth = KuduAuth.Check(ctx, site, state.Tokens);
            if (auth != AuthResult.Ok)
            {
                site.Stats.AuthFailed();
                await KuduAuth.WriteFailureAsync(ctx, rc, auth);
                return;
            }

            if (route.Kind == "dump" && !route.WrongMethod)
            {
                await DumpAsync(ctx, rc, site, instance, route);
                return;
            }

            var resolved = route.Id is { } rid ? instance.Resolve(rid)?.Id : null;
            var fault = Faults.Pick(site.FaultRules, route.Kind, instance.Id, route.Id, resolved, null);
            if (fault is not null)
            {
                site.Stats.FaultApplied(fault);
                if (await Faults.ApplyAsync(ctx, rc, fault, armStyle: false))
                {
                    return;
                }
            }
            await DispatchAsync(ctx, rc, site, instance, route);
        }
        catch (Exception ex) when (Http.IsClientGone(ex, ctx))
        {
            // The client hung up (or a drop fault cut it): nothing to answer.
        }
        finally
        {
            site.Stats.RequestEnded(ctx.Response.StatusCode);
        }
    }

    /// <summary>ARR names the instance that served the request; clients learn and pin it from these.</summary>
    private static void SetFrontEndHeaders(HttpContext ctx, InstanceState instance)
    {
        var host = Http.HostName(ctx);
        var headers = ctx.Response.Headers;
        headers.Append(HeaderNames.SetCookie, $"ARRAffinity={instance.Id};Path=/;HttpOnly;Secure;Domain={host}");
        headers.Append(HeaderNames.SetCookie, $"ARRAffinitySameSite={instance.Id};Path=/;HttpOnly;SameSite=None;Secure;Domain={host}");
        headers.Server = "Microsoft-IIS/10.0";
        headers["X-Powered-By"] = "ASP.NET";
    }

    private static Task DispatchAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, KuduRoute route)
    {
        if (route.NoResource)
        {
            if (HttpMethods.IsGet(ctx.Request.Method) && route.Path.Equals("/api/environment", StringComparison.OrdinalIgnoreCase))
            {
                return Http.WriteJsonAsync(ctx, rc, 200, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("version", "106.0.0.1");
                    w.WriteString("siteLastModified", KuduJson.Date(DateTime.UtcNow.Date));
                    w.WriteEndObject();
                });
            }
            return NoResourceAsync(ctx, rc);
        }
        if (route.WrongMethod)
        {
            return Http.WriteKuduErrorAsync(ctx, rc, 405, $"The requested resource does not support http method '{ctx.Request.Method}'.");
        }
        if (route.Kind == "list")
        {
            return site.Facts.IsLinux ? NotOnLinuxAsync(ctx, rc) : ListAsync(ctx, rc, instance);
        }

        var id = route.Id!.Value;
        var process = instance.Resolve(id);
        if (process is null)
        {
            return MissingProcessAsync(ctx, rc, id);
        }
        if (site.Facts.IsLinux)
        {
            return NotOnLinuxAsync(ctx, rc);
        }
        return route.Kind switch
        {
            "detail" => DetailAsync(ctx, rc, instance, process, route),
            "kill" => KillAsync(ctx, instance, process),
            "threads" => ThreadsAsync(ctx, rc, process, route),
            "modules" => ModulesAsync(ctx, rc, process, route),
            "environments" => EnvironmentsAsync(ctx, rc, process, route.Sub!),
            _ => NoResourceAsync(ctx, rc),
        };
    }

    private static Task ListAsync(HttpContext ctx, RequestContext rc, InstanceState instance)
    {
        var prefix = Http.BaseUrl(ctx) + KuduPath(ctx);
        var processes = instance.Snapshot().OrderBy(p => p.Name.ToLowerInvariant(), StringComparer.Ordinal); // stable
        return Http.WriteJsonAsync(ctx, rc, 200, w =>
        {
            w.WriteStartArray();
            foreach (var p in processes)
            {
                KuduJson.ListItem(w, p, $"{prefix}/{p.Id}", instance.MachineName);
            }
            w.WriteEndArray();
        });
    }

    private static Task DetailAsync(HttpContext ctx, RequestContext rc, InstanceState instance, ProcessModel process, KuduRoute route)
    {
        var self = SelfHref(ctx, route, process);
        var children = instance.Snapshot().Where(p => p.ParentId == process.Id).Select(p => p.Id).ToList();
        return Http.WriteJsonAsync(ctx, rc, 200, w => KuduJson.Detail(w, process, self, instance.MachineName, children));
    }

    private static Task KillAsync(HttpContext ctx, InstanceState instance, ProcessModel process)
    {
        instance.Kill(process.Id);
        return Http.WriteStatusAsync(ctx, 204);
    }

    private static Task ThreadsAsync(HttpContext ctx, RequestContext rc, ProcessModel process, KuduRoute route)
    {
        var here = Http.BaseUrl(ctx) + route.Path;
        if (route.Sub is null)
        {
            return Http.WriteJsonAsync(ctx, rc, 200, w =>
            {
                w.WriteStartArray();
                foreach (var t in process.Threads)
                {
                    KuduJson.ThreadSummary(w, t, $"{here}/{t.Id}");
                }
                w.WriteEndArray();
            });
        }
        if (!int.TryParse(route.Sub, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tid))
        {
            return NoResourceAsync(ctx, rc);
        }
        var thread = process.Threads.FirstOrDefault(t => t.Id == tid);
        if (thread is null)
        {
            return Http.WriteStatusAsync(ctx, 404);
        }
        var processHref = here[..here.LastIndexOf("/threads/", StringComparison.OrdinalIgnoreCase)];
        return Http.WriteJsonAsync(ctx, rc, 200, w => KuduJson.ThreadDetail(w, thread, here, processHref));
    }

    private static Task ModulesAsync(HttpContext ctx, RequestContext rc, ProcessModel process, KuduRoute route)
    {
        var here = Http.BaseUrl(ctx) + route.Path;
        if (route.Sub is null)
        {
            return Http.WriteJsonAsync(ctx, rc, 200, w =>
            {
                w.WriteStartArray();
                foreach (var m in process.Modules)
                {
                    KuduJson.ModuleSummary(w, m, $"{here}/{m.BaseAddress:x}");
                }
                w.WriteEndArray();
            });
        }
        if (!long.TryParse(route.Sub, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address))
        {
            // Kudu calls Int64.Parse unguarded: Web API turns the FormatException into this.
            return Http.WriteJsonAsync(ctx, rc, 500, w =>
            {
                w.WriteStartObject();
                w.WriteString("Message", "An error has occurred.");
                w.WriteString("ExceptionMessage", "Input string was not in a correct format.");
                w.WriteString("ExceptionType", "System.FormatException");
                w.WriteString("StackTrace", "   at System.Number.StringToNumber(String str, NumberStyles options, NumberBuffer& number, NumberFormatInfo info, Boolean parseDecimal)\r\n   at Kudu.Services.Performance.ProcessController.GetModule(Int32 id, String baseAddress)");
                w.WriteEndObject();
            });
        }
        var module = process.Modules.FirstOrDefault(m => m.BaseAddress == address);
        return module is null
            ? Http.WriteStatusAsync(ctx, 404)
            : Http.WriteJsonAsync(ctx, rc, 200, w => KuduJson.ModuleDetail(w, module, here));
    }

    private static Task EnvironmentsAsync(HttpContext ctx, RequestContext rc, ProcessModel process, string filter)
    {
        var all = filter.Equals("all", StringComparison.OrdinalIgnoreCase);
        var env = (process.Environment ?? new Dictionary<string, string>())
            .Where(kv => all || kv.Key.Contains(filter, StringComparison.OrdinalIgnoreCase));
        return Http.WriteJsonAsync(ctx, rc, 200, w =>
        {
            w.WriteStartObject();
            foreach (var (key, value) in env)
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
        });
    }

    // ---- dumps ---------------------------------------------------------------------------------

    private async Task DumpAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, KuduRoute route)
    {
        var query = ctx.Request.Query;
        var dumpTypeText = query["dumpType"].ToString();
        long? dumpType = dumpTypeText.Length == 0 ? 0
            : long.TryParse(dumpTypeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var formatText = query["format"].ToString();
        var id = route.Id!.Value;
        var target = instance.Resolve(id);
        var record = site.Stats.DumpStarted(instance.Id, target?.Id ?? id, dumpType ?? 0,
            formatText.Length == 0 ? "raw" : formatText.ToLowerInvariant());
        var outcome = "error";
        var progress = new DumpProgress();
        try
        {
            var fault = Faults.Pick(site.FaultRules, "dump", instance.Id, id, target?.Id, dumpType);
            if (fault is not null)
            {
                site.Stats.FaultApplied(fault);
                outcome = "fault:" + fault.Action;
                if (await Faults.ApplyAsync(ctx, rc, fault, armStyle: false))
                {
                    return;
                }
            }
            outcome = await DumpCoreAsync(ctx, rc, site, instance, id, dumpType, formatText, progress);
        }
        catch (Exception ex) when (Http.IsClientGone(ex, ctx))
        {
            outcome = rc.Dropped ? "dropped" : "aborted";
        }
        finally
        {
            site.Stats.DumpEnded(record, outcome, ctx.Response.StatusCode, progress.Sent);
        }
    }

    /// <summary>Kudu's MiniDump action, its checks in Kudu's order. Returns the outcome for the stats.</summary>
    private static async Task<string> DumpCoreAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance,
        int id, long? dumpType, string formatText, DumpProgress progress)
    {
        var ct = ctx.RequestAborted;
        if (!TryParseFormat(formatText, out var zip, out var formatError))
        {
            await Http.WriteKuduErrorAsync(ctx, rc, 400, formatError);
            return "badRequest";
        }
        if (dumpType is not { } type)
        {
            await Http.WriteKuduErrorAsync(ctx, rc, 400, "The request is invalid.");
            return "badRequest";
        }
        if (type == 2 && site.Facts.Sku.Equals("Free", StringComparison.OrdinalIgnoreCase))
        {
            await Http.WriteKuduErrorAsync(ctx, rc, 500, $"Site sku ({site.Facts.Sku}) does not support full minidump.");
            return "notSupported";
        }
        var process = instance.Resolve(id);
        if (process is null)
        {
            await MissingProcessAsync(ctx, rc, id);
            return "notFound";
        }
        if (site.Facts.IsLinux)
        {
            await NotOnLinuxAsync(ctx, rc);
            return "notSupported";
        }
        if (!site.TryEnterDump())
        {
            await Http.WriteKuduErrorAsync(ctx, rc, 500, DumpFileInUse);
            return "conflict";
        }
        try
        {
            var dump = site.Settings.Dump;
            if (dump.WriteDelayMs > 0)
            {
                await Task.Delay(dump.WriteDelayMs, ct); // writing the dump: no byte, no header yet
            }
            var content = DumpContent.For(site.Facts, instance.Id, process.Id, type, dump.SizeFor(type));
            var name = string.Create(CultureInfo.InvariantCulture,
                $"{process.Name}-{instance.Id[..Math.Min(6, instance.Id.Length)]}-{DateTime.UtcNow:MM-dd-HH-mm-ss}");
            var response = ctx.Response;
            response.StatusCode = 200;
            if (zip)
            {
                response.ContentType = "application/zip";
                response.Headers.ContentDisposition = $"attachment; filename={name}.zip";
                await WriteZipAsync(ctx, rc, content, progress, dump.PaceBytesPerSecond);
            }
            else
            {
                response.ContentType = "application/octet-stream";
                response.Headers.ContentDisposition = $"attachment; filename={name}.dmp";
                response.ContentLength = content.Length;
                var cut = rc.DropAfterBytes is { } n && n < content.Length ? n : long.MaxValue;
                await content.CopyToAsync(response.BodyWriter, progress, cut, dump.PaceBytesPerSecond, ct);
                if (cut != long.MaxValue)
                {
                    await Http.AbortAfterFlushAsync(ctx, rc);
                    return "dropped";
                }
                await response.CompleteAsync(); // the body is on the wire before the site's dump file is released
            }
            return rc.Dropped ? "dropped" : "completed";
        }
        finally
        {
            site.ExitDump();
        }
    }

    /// <summary>Kudu's zip: minidump.dmp plus the debugger dlls, streamed (chunked, no Content-Length).</summary>
    private static async Task WriteZipAsync(HttpContext ctx, RequestContext rc, DumpContent content, DumpProgress progress, long pace)
    {
        var ct = ctx.RequestAborted;
        await using var body = new CountingStream(ctx.Response.Body, progress, rc.DropAfterBytes);
        try
        {
            await using (var archive = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                // Stored, not deflated: the bytes are random and the benchmark must not wait on a compressor.
                var entry = archive.CreateEntry("minidump.dmp", CompressionLevel.NoCompression);
                await using (var stream = await entry.OpenAsync(ct))
                {
                    await content.CopyToAsync(stream, pace, ct);
                }
                foreach (var dll in new[] { "sos.dll", "mscordacwks.dll" })
                {
                    var bytes = Det.Bytes(24 * 1024, "dll", dll);
                    bytes[0] = (byte)'M';
                    bytes[1] = (byte)'Z';
                    await using var stream = await archive.CreateEntry(dll, CompressionLevel.Fastest).OpenAsync(ct);
                    await stream.WriteAsync(bytes, ct);
                }
            }
            await body.FlushAsync(ct); // sends whatever the archive wrote synchronously at the end
            await ctx.Response.CompleteAsync();
        }
        catch (CountingStream.LimitReachedException)
        {
            await Http.AbortAfterFlushAsync(ctx, rc);
        }
    }

    /// <summary>Kudu parses format with Enum.Parse(ignoreCase): names or numbers.</summary>
    private static bool TryParseFormat(string text, out bool zip, out string error)
    {
        zip = false;
        error = "";
        var t = text.Trim();
        if (t.Length == 0 || t.Equals("raw", StringComparison.OrdinalIgnoreCase) || t == "0")
        {
            return true;
        }
        if (t.Equals("zip", StringComparison.OrdinalIgnoreCase) || t == "1")
        {
            zip = true;
            return true;
        }
        error = int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? $"Dump format {n} is not supported."
            : $"Requested value '{text}' was not found.";
        return false;
    }

    // ---- shared answers ------------------------------------------------------------------------

    private static Task MissingProcessAsync(HttpContext ctx, RequestContext rc, int id) => id == -1
        ? Http.WriteKuduErrorAsync(ctx, rc, 500, "Cannot find a w3wp process other than the one of the SCM site.")
        : Http.WriteKuduErrorAsync(ctx, rc, 404, $"Process with an Id of {id.ToString(CultureInfo.InvariantCulture)} is not running.");

    private static Task NotOnLinuxAsync(HttpContext ctx, RequestContext rc) =>
        Http.WriteKuduErrorAsync(ctx, rc, 400, "Not supported on Linux");

    private static Task NoResourceAsync(HttpContext ctx, RequestContext rc) =>
        Http.WriteKuduErrorAsync(ctx, rc, 404,
            $"No HTTP resource was found that matches the request URI '{Http.BaseUrl(ctx)}{ctx.Request.Path}{ctx.Request.QueryString}'.");

    /// <summary>The process-list prefix the client used (/api/processes or /api/diagnostics/processes).</summary>
    private static string KuduPath(HttpContext ctx)
    {
        var path = (ctx.Request.Path.Value ?? "").TrimEnd('/');
        return path;
    }

    /// <summary>Kudu rewrites a trailing special id to the real pid in the detail's href.</summary>
    private static string SelfHref(HttpContext ctx, KuduRoute route, ProcessModel process)
    {
        var basePath = route.ProcessPath[..(route.ProcessPath.LastIndexOf('/') + 1)];
        return Http.BaseUrl(ctx) + basePath + process.Id.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Counts what goes to the client; with a limit, lets that many bytes through and then stops the
/// writer. ZipArchive still writes its small data descriptors synchronously, which Kestrel forbids:
/// those are held and sent ahead of the next asynchronous write or flush.
/// </summary>
internal sealed class CountingStream(Stream inner, DumpProgress progress, long? limit) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    public sealed class LimitReachedException : Exception
    {
        public LimitReachedException() : base("Drop fault: byte budget reached.") { }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written + _pending.Length; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await SendAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override void Flush()
    {
        // Held bytes go out with the next asynchronous write or flush.
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        if (_pending.Length > 0)
        {
            var held = _pending.ToArray();
            _pending.SetLength(0);
            await SendAsync(held, ct);
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct)
    {
        var allowed = limit is { } max ? (int)Math.Min(buffer.Length, Math.Max(0, max - _written)) : buffer.Length;
        if (allowed > 0)
        {
            await inner.WriteAsync(buffer[..allowed], ct);
            _written += allowed;
            progress.Add(allowed);
        }
        if (allowed < buffer.Length)
        {
            throw new LimitReachedException();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }
        base.Dispose(disposing);
    }
}
