using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KuduEmulator;

/// <summary>
/// The App Service / Azure Automation managed-identity endpoint (api-version 2019-08-01), as
/// Azure.Identity's ManagedIdentityCredential calls it through IDENTITY_ENDPOINT + IDENTITY_HEADER.
/// </summary>
internal sealed class IdentityRoutes(EmulatorState state)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        var rc = new RequestContext();
        var query = ctx.Request.Query;
        var header = ctx.Request.Headers["X-IDENTITY-HEADER"].ToString();
        if (header.Length == 0)
        {
            await RefuseAsync(ctx, rc, 400, "Required metadata header not specified or not correct");
            return;
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(state.Identity.Header)))
        {
            await RefuseAsync(ctx, rc, 401, "The identity header does not match the one given to this environment.");
            return;
        }
        if (!HttpMethods.IsGet(ctx.Request.Method))
        {
            await RefuseAsync(ctx, rc, 405, "Only GET is supported.");
            return;
        }
        var apiVersion = query["api-version"].ToString();
        if (apiVersion.Length == 0)
        {
            await RefuseAsync(ctx, rc, 400, "api-version is required.");
            return;
        }
        if (apiVersion != "2019-08-01")
        {
            await RefuseAsync(ctx, rc, 400, $"api-version '{apiVersion}' is not supported; use 2019-08-01.");
            return;
        }
        var resource = query["resource"].ToString();
        if (resource.Length == 0)
        {
            await RefuseAsync(ctx, rc, 400, "resource is required.");
            return;
        }

        // A user-assigned identity may be picked by client id, resource id or object (principal) id.
        var id = state.Identity;
        string clientId = id.SystemClientId, principalId = id.SystemPrincipalId;
        var byClient = query["client_id"].ToString();
        var byResource = query["mi_res_id"].ToString();
        var byObject = FirstNonEmpty(query["object_id"].ToString(), query["principal_id"].ToString());
        if (byClient.Length > 0 || byResource.Length > 0 || byObject.Length > 0)
        {
            var match = id.UserAssigned.FirstOrDefault(u =>
                (byClient.Length > 0 && u.ClientId.Equals(byClient, StringComparison.OrdinalIgnoreCase))
                || (byResource.Length > 0 && u.ResourceId.Equals(byResource, StringComparison.OrdinalIgnoreCase))
                || (byObject.Length > 0 && u.PrincipalId.Equals(byObject, StringComparison.OrdinalIgnoreCase)));
            if (match is null)
            {
                await RefuseAsync(ctx, rc, 400, "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.");
                return;
            }
            clientId = match.ClientId;
            principalId = match.PrincipalId;
        }

        var audience = TokenService.NormalizeAudience(resource);
        var (token, expires) = state.Tokens.Issue(audience, principalId, clientId);
        state.IdentityStats.Issued(audience);
        await Http.WriteJsonAsync(ctx, rc, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("access_token", token);
            w.WriteString("expires_on", expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            w.WriteString("resource", resource);
            w.WriteString("token_type", "Bearer");
            w.WriteString("client_id", clientId);
            w.WriteEndObject();
        });
    }

    private static string FirstNonEmpty(string a, string b) => a.Length > 0 ? a : b;

    private Task RefuseAsync(HttpContext ctx, RequestContext rc, int status, string message)
    {
        state.IdentityStats.Refused();
        return Http.WriteJsonAsync(ctx, rc, status, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("statusCode", status);
            w.WriteString("message", message);
            w.WriteString("correlationId", Guid.NewGuid().ToString());
            w.WriteEndObject();
        });
    }
}
