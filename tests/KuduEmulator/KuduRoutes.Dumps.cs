using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace KuduEmulator;

/// <summary>Kudu's MiniDump action behind the front end: GET /api/processes/{id}/dump.</summary>
internal sealed partial class KuduRoutes
{
    private const string DumpFileInUse =
        @"The process cannot access the file 'C:\home\LogFiles\minidump\minidump.dmp' because it is being used by another process.";

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
            formatText.Length == 0 ? "raw" : formatText.ToLowerInvariant(), ctx.Request.QueryString.Value, () => ctx.Response.HasStarted);
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
                response.Headers.ContentDisposition = "attachment; filename=" + DispositionFileName(name + ".zip");
                await WriteZipAsync(ctx, rc, content, dump.File, progress, dump.PaceBytesPerSecond);
            }
            else if (dump.File is not null && rc.DropAfterBytes is null)
            {
                response.ContentType = "application/octet-stream";
                await ServeDumpFileAsync(ctx, dump.File, progress, ct);
            }
            else
            {
                response.ContentType = "application/octet-stream";
                response.Headers.ContentDisposition = "attachment; filename=" + DispositionFileName(name + ".dmp");
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

    /// <summary>
    /// What System.Net.Http's ContentDispositionHeaderValue.FileName writes: a plain token as is,
    /// anything with separators (\ : / space ...) in quotes, non-ASCII MIME-encoded in quotes.
    /// </summary>
    private static string DispositionFileName(string name)
    {
        if (name.Any(c => c > 127 || char.IsControl(c)))
        {
            return $"\"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(name))}?=\"";
        }
        const string tokenSymbols = "!#$%&'*+-.^_`|~";
        return name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || tokenSymbols.Contains(c))
            ? name
            : "\"" + name.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
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
}
