using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Diagnostics.NETCore.Client;

namespace KuduEmulator;

/// <summary>GET /api/processes/{pid}/dump on a Linux site: KuduLite forwards ?type= to dotnet-monitor.</summary>
internal sealed partial class LinuxRoutes
{
    private const int CopyChunk = 1 << 20;

    private async Task DumpAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, KuduRoute route)
    {
        var pid = route.Id!.Value;
        var record = site.Stats.DumpStarted(instance.Id, pid, 0, "raw", ctx.Request.QueryString.Value, () => ctx.Response.HasStarted);
        var outcome = "error";
        var progress = new DumpProgress();
        try
        {
            var fault = Faults.Pick(site.FaultRules, "dump", instance.Id, pid, pid, null);
            if (fault is not null)
            {
                site.Stats.FaultApplied(fault);
                outcome = "fault:" + fault.Action;
                if (await Faults.ApplyAsync(ctx, rc, fault, armStyle: false))
                {
                    return;
                }
            }
            outcome = await RefuseAsync(ctx, site, instance)
                      ?? await MonitorRefusesAsync(ctx, site, "dump")
                      ?? await DumpCoreAsync(ctx, rc, site, instance, pid, record, progress);
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

    /// <summary>dotnet-monitor's CaptureDump: bind type, find the process, take the one dump slot, write, stream.</summary>
    private async Task<string> DumpCoreAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance,
        int pid, DumpRecord record, DumpProgress progress)
    {
        var ct = ctx.RequestAborted;
        // KuduLite binds only "type" (default WithHeap) and forwards it: a Windows-style dumpType= is ignored.
        var typeText = ctx.Request.Query["type"].FirstOrDefault() ?? "";
        if (!LinuxMonitor.TryParseType(typeText, out var type, out var typeName))
        {
            await ProblemAsync(ctx, rc, 400, "One or more validation errors occurred.", "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                null, w =>
                {
                    w.WriteStartObject("errors");
                    w.WriteStartArray("type");
                    w.WriteStringValue($"The value '{typeText}' is not valid.");
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            return "badRequest";
        }
        record.Type = typeName;
        if (await LinuxMonitor.FindAsync(instance, pid, ct) is null)
        {
            await NoTargetAsync(ctx, rc);
            return "notFound";
        }
        if (!instance.TryEnterMonitorDump())
        {
            // 5.0.0-preview.5's throttling middleware sets the status and writes nothing (ProblemDetails came in preview.6).
            await Http.WriteStatusAsync(ctx, 429);
            return "conflict";
        }
        var path = Path.Combine(state.DumpTempFolder, string.Create(CultureInfo.InvariantCulture, $"{Guid.NewGuid():N}_{pid}"));
        try
        {
            var fileName = string.Create(CultureInfo.InvariantCulture, $"core_{DateTime.UtcNow:yyyyMMdd_HHmmss}");
            var settings = site.Settings.Dump;
            if (settings.WriteDelayMs >= site.Settings.ProxyTimeoutMs)
            {
                // KuduLite's proxy gives up first: its HttpClient times out and AspNetCore.Proxy answers 502.
                await Task.Delay(site.Settings.ProxyTimeoutMs, ct);
                await RawTextAsync(ctx, 502, ProxyCanceled());
                return "proxyTimeout";
            }
            if (settings.WriteDelayMs > 0)
            {
                await Task.Delay(settings.WriteDelayMs, ct); // a slower dump writer: the slot stays taken
            }
            Directory.CreateDirectory(state.DumpTempFolder);
            try
            {
                // The whole dump is written before the first byte goes out, as dotnet-monitor does.
                await LinuxMonitor.WriteDumpAsync(pid, type, path, ct);
            }
            catch (DiagnosticsClientException ex)
            {
                await ProblemAsync(ctx, rc, 400, "Bad Request", "https://tools.ietf.org/html/rfc9110#section-15.5.1", ex.Message);
                return "error";
            }
            return await StreamAsync(ctx, rc, path, fileName, settings.PaceBytesPerSecond, progress);
        }
        finally
        {
            instance.ExitMonitorDump();
            TryDelete(path);
        }
    }

    /// <summary>The core file as application/octet-stream, chunked (no Content-Length), then deleted.</summary>
    private static async Task<string> StreamAsync(HttpContext ctx, RequestContext rc, string path, string fileName, long pace,
        DumpProgress progress)
    {
        var ct = ctx.RequestAborted;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1,
            FileOptions.Asynchronous | FileOptions.SequentialScan | FileOptions.DeleteOnClose);
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "application/octet-stream";
        response.Headers.ContentDisposition = "attachment; filename=" + fileName;
        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var cut = rc.DropAfterBytes ?? long.MaxValue;
        var chunk = pace > 0 ? (int)Math.Clamp(pace / 20, 1024, CopyChunk) : CopyChunk;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        var clock = Stopwatch.StartNew();
        try
        {
            long sent = 0;
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, chunk), ct)) > 0)
            {
                var n = (int)Math.Min(read, cut - sent);
                if (n > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, n), ct);
                    sent += n;
                    progress.Add(n);
                }
                if (sent >= cut)
                {
                    // Cut mid-body: the client sees a chunked stream with no final chunk.
                    await Http.AbortAfterFlushAsync(ctx, rc);
                    return "dropped";
                }
                if (pace > 0 && TimeSpan.FromSeconds((double)sent / pace) - clock.Elapsed is { Ticks: > 0 } due)
                {
                    await Task.Delay(due, ct);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await response.CompleteAsync(); // the terminating chunk goes out before the slot is released
        return "completed";
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path); // DeleteOnClose already did it unless the dump failed part-way
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort; the folder goes when the emulator stops.
        }
    }
}
