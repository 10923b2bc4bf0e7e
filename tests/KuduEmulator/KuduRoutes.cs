using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace KuduEmulator;

/// <summary>
/// One SCM site: the App Service front end (affinity, auth, faults, latency) in front of Kudu's
/// process API. Order of the front end: latency, instance, auth, faults; then Kudu.
/// </summary>
internal sealed partial class KuduRoutes(EmulatorState state)
{
    private readonly LinuxRoutes _linux = new(state);

    public async Task HandleAsync(HttpContext ctx, SiteState site)
    {
        var rc = new RequestContext();
        var route = KuduRoute.Parse(ctx.Request.Method, ctx.Request.Path.Value ?? "/");
        site.Stats.RequestStarted(route.Kind);
        // The instance is known from the cookie on arrival, so its load counts the latency too.
        var instance = site.PickInstance(ctx.Request.Cookies["ARRAffinity"] is { } a && site.FindLiveInstance(a) is not null
            ? a
            : ctx.Request.Cookies["ARRAffinitySameSite"]);
        var busy = site.Stats.Load.Enter(instance.Id);
        ctx.Response.OnStarting(() =>
        {
            busy.Dispose();
            return Task.CompletedTask;
        });
        try
        {
            var ct = ctx.RequestAborted;
            var settings = site.Settings;
            if (settings.LatencyMs > 0)
            {
                await Task.Delay(settings.LatencyMs, ct);
            }

            SetFrontEndHeaders(ctx, instance);

            var auth = KuduAuth.Check(ctx, site, state.Tokens);
            if (auth != AuthResult.Ok)
            {
                site.Stats.AuthFailed();
                await KuduAuth.WriteFailureAsync(ctx, rc, auth);
                return;
            }

            if (!route.NoResource && LinuxRoutes.Serves(site))
            {
                await _linux.HandleAsync(ctx, rc, site, instance, route);
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
            busy.Dispose();
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
            return site.Facts.IsLinux ? NotOnLinuxAsync(ctx, rc) : ListAsync(ctx, rc, instance, route);
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
            "detail" => DetailAsync(ctx, rc, site, instance, process, route),
            "kill" => KillAsync(ctx, site, instance, process),
            "threads" => ThreadsAsync(ctx, rc, process, route),
            "modules" => ModulesAsync(ctx, rc, process, route),
            "environments" => EnvironmentsAsync(ctx, rc, process, route.Sub!),
            "profile" => ProfileAsync(ctx, rc, site, instance, process, route),
            _ => NoResourceAsync(ctx, rc),
        };
    }

    private static Task ListAsync(HttpContext ctx, RequestContext rc, InstanceState instance, KuduRoute route)
    {
        var prefix = Http.BaseUrl(ctx) + route.Path; // whichever of the two prefixes the client used
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

    private static Task DetailAsync(HttpContext ctx, RequestContext rc, SiteState site, InstanceState instance, ProcessModel process, KuduRoute route)
    {
        var self = SelfHref(ctx, route, process);
        var children = instance.Snapshot().Where(p => p.ParentId == process.Id).Select(p => p.Id).ToList();
        var (profiling, iis) = site.Ops.ProfileState(instance.Id, process.Id);
        return Http.WriteJsonAsync(ctx, rc, 200, w => KuduJson.Detail(w, process, self, instance.MachineName, children, profiling, iis));
    }

    private static Task KillAsync(HttpContext ctx, SiteState site, InstanceState instance, ProcessModel process)
    {
        site.Ops.Record("kill", instance.Id, process.Id).Status = 204;
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

    // ---- shared answers ------------------------------------------------------------------------

    private static Task MissingProcessAsync(HttpContext ctx, RequestContext rc, int id) => id == -1
        ? Http.WriteKuduErrorAsync(ctx, rc, 500, "Cannot find a w3wp process other than the one of the SCM site.")
        : Http.WriteKuduErrorAsync(ctx, rc, 404, $"Process with an Id of {id.ToString(CultureInfo.InvariantCulture)} is not running.");

    private static Task NotOnLinuxAsync(HttpContext ctx, RequestContext rc) =>
        Http.WriteKuduErrorAsync(ctx, rc, 400, "Not supported on Linux");

    private static Task NoResourceAsync(HttpContext ctx, RequestContext rc) =>
        Http.WriteKuduErrorAsync(ctx, rc, 404,
            $"No HTTP resource was found that matches the request URI '{Http.BaseUrl(ctx)}{ctx.Request.Path}{ctx.Request.QueryString}'.");

    /// <summary>Kudu rewrites a trailing special id to the real pid in the detail's href.</summary>
    private static string SelfHref(HttpContext ctx, KuduRoute route, ProcessModel process)
    {
        var basePath = route.ProcessPath[..(route.ProcessPath.LastIndexOf('/') + 1)];
        return Http.BaseUrl(ctx) + basePath + process.Id.ToString(CultureInfo.InvariantCulture);
    }
}
