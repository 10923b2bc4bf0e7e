using System.Security;
using System.Text;

namespace KuduEmulator;

/// <summary>
/// The slice of Azure Resource Manager the module uses: the site (to find the SCM host), its
/// instances (the ARRAffinity values), and the publishing-credential endpoints. Paths are
/// case-insensitive, as ARM's are.
/// </summary>
internal sealed class ArmRoutes(EmulatorState state)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            await HandleCoreAsync(ctx);
        }
        catch (Exception ex) when (Http.IsClientGone(ex, ctx))
        {
            // The client left (or a drop fault cut it).
        }
        finally
        {
            state.ArmStats.Ended(ctx.Response.StatusCode);
        }
    }

    private async Task HandleCoreAsync(HttpContext ctx)
    {
        var rc = new RequestContext();
        SetArmHeaders(ctx);

        var failure = ArmAuth.Check(ctx, state.Tokens, out var token);
        if (failure is not null)
        {
            ctx.Response.Headers.WWWAuthenticate =
                $"Bearer authorization_uri=\"https://login.microsoftonline.com/{state.TenantId}\", error=\"invalid_token\", error_description=\"{failure.Message}\"";
            await Http.WriteArmErrorAsync(ctx, rc, 401, failure.Code, failure.Message);
            return;
        }
        if (string.IsNullOrEmpty(ctx.Request.Query["api-version"]))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 400, "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }

        var seg = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (seg.Length < 2 || !Is(seg[0], "subscriptions"))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "NotFound", $"The requested URI '{ctx.Request.Path}' is not a Resource Manager resource.");
            return;
        }
        if (!Is(seg[1], state.SubscriptionId))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "SubscriptionNotFound", $"The subscription '{seg[1]}' could not be found.");
            return;
        }

        // /subscriptions/{sub}/providers/Microsoft.Web/sites: every site the caller may read.
        if (seg.Length == 5 && Is(seg[2], "providers") && Is(seg[3], "Microsoft.Web") && Is(seg[4], "sites"))
        {
            await ListSitesAsync(ctx, rc, token!);
            return;
        }
        if (seg.Length < 4 || !Is(seg[2], "resourceGroups"))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "NotFound", $"The requested URI '{ctx.Request.Path}' is not a Resource Manager resource.");
            return;
        }
        var rg = seg[3];
        if (!Is(rg, state.ResourceGroup))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "ResourceGroupNotFound", $"Resource group '{rg}' could not be found.");
            return;
        }
        if (seg.Length == 7 && Is(seg[4], "providers") && Is(seg[5], "Microsoft.Web") && Is(seg[6], "sites"))
        {
            await ListSitesAsync(ctx, rc, token!);
            return;
        }
        if (seg.Length < 8 || !Is(seg[4], "providers"))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "NotFound", $"The requested URI '{ctx.Request.Path}' is not a Resource Manager resource.");
            return;
        }
        if (!Is(seg[5], "Microsoft.Web") || !Is(seg[6], "sites"))
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "ResourceNotFound",
                $"The Resource '{seg[5]}/{seg[6]}/{seg[7]}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
            return;
        }

        var name = seg[7];
        string? slot = null;
        var rest = seg.Skip(8).ToArray();
        if (rest.Length >= 2 && Is(rest[0], "slots"))
        {
            slot = rest[1];
            rest = rest[2..];
        }
        var site = state.SiteByArm(name, slot);
        if (site is null)
        {
            var what = slot is null ? $"Microsoft.Web/sites/{name}" : $"Microsoft.Web/sites/{name}/slots/{slot}";
            await Http.WriteArmErrorAsync(ctx, rc, 404, "ResourceNotFound",
                $"The Resource '{what}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
            return;
        }

        site.Stats.ArmRequest();
        var post = HttpMethods.IsPost(ctx.Request.Method);
        var action = (rest.Length, post) switch
        {
            (0, false) => "read",
            (1, false) when Is(rest[0], "instances") => "instances/read",
            (2, false) when Is(rest[0], "instances") => "instances/read",
            (2, false) when Is(rest[0], "basicPublishingCredentialsPolicies") && Is(rest[1], "scm") => "basicPublishingCredentialsPolicies/read",
            (3, true) when Is(rest[0], "config") && Is(rest[1], "publishingcredentials") && Is(rest[2], "list") => "config/list/action",
            (1, true) when Is(rest[0], "publishxml") => "publishxml/action",
            _ => null,
        };
        if (action is null)
        {
            await Http.WriteArmErrorAsync(ctx, rc, 404, "NotFound",
                $"The requested resource '{string.Join('/', rest)}' does not exist on '{site.Facts.ResourceId}' or does not support {ctx.Request.Method}.");
            return;
        }
        if (!site.Settings.IsAuthorized(token!.PrincipalId))
        {
            var type = slot is null ? "Microsoft.Web/sites" : "Microsoft.Web/sites/slots";
            await Http.WriteArmErrorAsync(ctx, rc, 403, "AuthorizationFailed",
                $"The client '{token.PrincipalId}' with object id '{token.PrincipalId}' does not have authorization to perform action '{type}/{action}' over scope '{site.Facts.ResourceId}' or the scope is invalid. If access was recently granted, please refresh your credentials.");
            return;
        }

        var fault = Faults.Pick(site.FaultRules, "arm", null, null, null, null);
        if (fault is not null)
        {
            site.Stats.FaultApplied(fault);
            if (await Faults.ApplyAsync(ctx, rc, fault, armStyle: true))
            {
                return;
            }
        }

        switch (action)
        {
            case "read":
                await Http.WriteJsonAsync(ctx, rc, 200, SiteResource(site));
                break;
            case "instances/read" when rest.Length == 1:
                await Http.WriteJsonAsync(ctx, rc, 200, new { value = site.LiveInstances.Select(i => InstanceResource(site, i)).ToList() });
                break;
            case "instances/read":
                var instance = site.FindLiveInstance(rest[1]);
                if (instance is null)
                {
                    await Http.WriteArmErrorAsync(ctx, rc, 404, "ResourceNotFound",
                        $"The Resource 'Microsoft.Web/sites/{name}/instances/{rest[1]}' under resource group '{rg}' was not found.");
                    break;
                }
                await Http.WriteJsonAsync(ctx, rc, 200, InstanceResource(site, instance));
                break;
            case "basicPublishingCredentialsPolicies/read":
                await Http.WriteJsonAsync(ctx, rc, 200, new
                {
                    id = site.Facts.ResourceId + "/basicPublishingCredentialsPolicies/scm",
                    name = "scm",
                    type = "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
                    location = site.Facts.Location,
                    properties = new { allow = site.Settings.BasicAuthEnabled },
                });
                break;
            case "config/list/action":
                await Http.WriteJsonAsync(ctx, rc, 200, PublishingCredentials(site));
                break;
            default:
                await Http.WriteBytesAsync(ctx, rc, 200, "application/xml", Encoding.UTF8.GetBytes(PublishXml(site)));
                break;
        }
    }

    private static bool Is(string a, string b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);

    private static void SetArmHeaders(HttpContext ctx)
    {
        var headers = ctx.Response.Headers;
        var id = Guid.NewGuid().ToString();
        headers["x-ms-request-id"] = id;
        headers["x-ms-correlation-request-id"] = ctx.Request.Headers["x-ms-correlation-request-id"].FirstOrDefault() ?? id;
        headers["x-ms-ratelimit-remaining-subscription-reads"] = "11999";
        headers.CacheControl = "no-cache";
    }

    private async Task ListSitesAsync(HttpContext ctx, RequestContext rc, TokenInfo token)
    {
        var visible = state.Sites.Where(s => s.Facts.Slot is null && s.Settings.IsAuthorized(token.PrincipalId));
        await Http.WriteJsonAsync(ctx, rc, 200, new { value = visible.Select(SiteResource).ToList() });
    }

    private object SiteResource(SiteState site)
    {
        var f = site.Facts;
        var hostStates = new List<object>
        {
            new { name = f.DefaultHostName, sslState = "Disabled", hostType = "Standard" },
        };
        var enabled = new List<string> { f.DefaultHostName };
        if (f.HasScm)
        {
            hostStates.Add(new { name = site.ScmHost, sslState = "Disabled", hostType = "Repository" });
            enabled.Add(site.ScmHost);
        }
        var planName = f.Sku switch
        {
            "Dynamic" => $"WestEuropePlan",
            "FlexConsumption" => $"ASP-{f.ResourceGroup}-flex",
            _ => $"ASP-{f.ResourceGroup}-{Det.Hex(4, f.Name, "plan")}",
        };
        return new
        {
            id = f.ResourceId,
            name = f.Slot is null ? f.Name : $"{f.Name}/{f.Slot}",
            type = f.Slot is null ? "Microsoft.Web/sites" : "Microsoft.Web/sites/slots",
            kind = f.Kind,
            location = f.Location,
            tags = new Dictionary<string, string>(),
            properties = new
            {
                name = f.Slot is null ? f.Name : $"{f.Name}({f.Slot})",
                state = "Running",
                hostNames = new[] { f.DefaultHostName },
                webSpace = $"{f.ResourceGroup}-WestEuropewebspace",
                selfLink = $"https://waws-prod-am2-001.api.azurewebsites.windows.net:454/subscriptions/{f.SubscriptionId}/webspaces/{f.ResourceGroup}-WestEuropewebspace/sites/{f.Name}",
                repositorySiteName = f.Name,
                usageState = "Normal",
                enabled = true,
                enabledHostNames = enabled,
                availabilityState = "Normal",
                hostNameSslStates = hostStates,
                serverFarmId = $"/subscriptions/{f.SubscriptionId}/resourceGroups/{f.ResourceGroup}/providers/Microsoft.Web/serverfarms/{planName}",
                reserved = f.IsLinux,
                sku = f.Sku,
                lastModifiedTimeUtc = KuduJson.Date(DateTime.UtcNow.Date),
                clientAffinityEnabled = true,
                httpsOnly = true,
                defaultHostName = f.DefaultHostName,
                resourceGroup = f.ResourceGroup,
                slotName = f.Slot,
            },
            identity = new
            {
                type = "SystemAssigned",
                tenantId = state.TenantId,
                principalId = Det.Guid("site-identity", f.Key).ToString(),
            },
        };
    }

    private static object InstanceResource(SiteState site, InstanceState instance) => new
    {
        id = $"{site.Facts.ResourceId}/instances/{instance.Id}",
        name = instance.Id,
        type = site.Facts.Slot is null ? "Microsoft.Web/sites/instances" : "Microsoft.Web/sites/slots/instances",
        location = site.Facts.Location,
        properties = new
        {
            state = "READY",
            siteInstanceName = instance.Id,
            machineName = instance.MachineName,
            healthCheckUrl = (string?)null,
        },
    };

    private static object PublishingCredentials(SiteState site)
    {
        var s = site.Settings;
        return new
        {
            id = site.Facts.ResourceId + "/config/publishingcredentials",
            name = site.Facts.Name,
            type = "Microsoft.Web/sites/config",
            location = site.Facts.Location,
            properties = new
            {
                publishingUserName = s.UserName,
                publishingPassword = s.Password,
                scmUri = site.Facts.HasScm ? $"http://{Uri.EscapeDataString(s.UserName)}:{Uri.EscapeDataString(s.Password)}@{site.ScmHost}" : null,
            },
        };
    }

    /// <summary>The .PublishSettings document (what the portal's "Download publish profile" gives).</summary>
    private static string PublishXml(SiteState site)
    {
        var s = site.Settings;
        var f = site.Facts;
        string A(string v) => SecurityElement.Escape(v);
        var profileName = f.Slot is null ? f.Name : $"{f.Name}-{f.Slot}";
        var sb = new StringBuilder("<publishData>");
        if (f.HasScm)
        {
            sb.Append($"<publishProfile profileName=\"{A(profileName)} - Web Deploy\" publishMethod=\"MSDeploy\" publishUrl=\"{A(site.ScmHost)}\" msdeploySite=\"{A(f.Name)}\" userName=\"{A(s.UserName)}\" userPWD=\"{A(s.Password)}\" destinationAppUrl=\"https://{A(f.DefaultHostName)}\" SQLServerDBConnectionString=\"\" mySQLDBConnectionString=\"\" hostingProviderForumLink=\"\" controlPanelLink=\"https://portal.azure.com\" webSystem=\"WebSites\"><databases /></publishProfile>");
            sb.Append($"<publishProfile profileName=\"{A(profileName)} - Zip Deploy\" publishMethod=\"ZipDeploy\" publishUrl=\"{A(site.ScmHost)}\" userName=\"{A(s.UserName)}\" userPWD=\"{A(s.Password)}\" destinationAppUrl=\"https://{A(f.DefaultHostName)}\" SQLServerDBConnectionString=\"\" mySQLDBConnectionString=\"\" hostingProviderForumLink=\"\" controlPanelLink=\"https://portal.azure.com\" webSystem=\"WebSites\"><databases /></publishProfile>");
        }
        sb.Append($"<publishProfile profileName=\"{A(profileName)} - FTP\" publishMethod=\"FTP\" publishUrl=\"ftps://waws-prod-am2-001.ftp.azurewebsites.windows.net/site/wwwroot\" ftpPassiveMode=\"True\" userName=\"{A(f.Name)}\\{A(s.UserName)}\" userPWD=\"{A(s.Password)}\" destinationAppUrl=\"https://{A(f.DefaultHostName)}\" SQLServerDBConnectionString=\"\" mySQLDBConnectionString=\"\" hostingProviderForumLink=\"\" controlPanelLink=\"https://portal.azure.com\" webSystem=\"WebSites\"><databases /></publishProfile>");
        sb.Append("</publishData>");
        return sb.ToString();
    }
}
