using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace KuduEmulator;

/// <summary>POST .../profile/start?iisProfiling= and GET .../profile/stop, as Kudu's ProcessController and ProfileManager answer them.</summary>
internal sealed partial class KuduRoutes
{
    private static Task ProfileAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, ProcessModel process, KuduRoute route)
    {
        var ops = site.Ops;
        if (string.Equals(route.Sub, "start", StringComparison.OrdinalIgnoreCase))
        {
            var iis = bool.TryParse(ctx.Request.Query["iisProfiling"], out var b) && b;
            var record = ops.Record("profileStart", instance.Id, process.Id, iis);
            ops.StartProfile(instance.Id, process.Id, iis);
            record.Status = 200;
            return Http.WriteStatusAsync(ctx, 200);
        }

        var stop = ops.Record("profileStop", instance.Id, process.Id);
        if (!ops.StopProfile(instance.Id, process.Id))
        {
            stop.Status = 404;
            return Http.WriteKuduErrorAsync(ctx, rc, 404, $"Profiling for process '{process.Id.ToString(CultureInfo.InvariantCulture)}' is not running.");
        }

        var shortId = instance.Id.Length > 6 ? instance.Id[..6] : instance.Id;
        var body = ProcessOpsLog.DiagSession(shortId, process.Name, process.Id);
        stop.Status = 200;
        stop.Bytes = body.Length;
        stop.Sha256 = ProcessOpsLog.Sha256(body);
        ctx.Response.Headers[HeaderNames.ContentDisposition] = $"attachment; filename=profile_{shortId}_{process.Name}_{process.Id.ToString(CultureInfo.InvariantCulture)}.diagsession";
        return Http.WriteBytesAsync(ctx, rc, 200, "application/octet-stream", body);
    }
}
