using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KuduEmulator;

internal sealed record StaticToken(string Token, string Audience, string? PrincipalId, DateTimeOffset? ExpiresOn);

internal sealed record TokenInfo(string Audience, string? PrincipalId, string? ClientId, DateTimeOffset ExpiresOn);

internal enum TokenCheck { Valid, Expired, Invalid }

/// <summary>
/// Issues and validates bearer tokens. Issued tokens are JWT-shaped (HS256 with a key that lives
/// only in this process), so clients that peek at claims see aud/oid/exp, and a token forged or
/// issued by another emulator run fails validation.
/// </summary>
internal sealed class TokenService
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, StaticToken> _static = new(StringComparer.Ordinal);
    private readonly string _tenantId;

    public TokenService(string tenantId, IEnumerable<StaticToken> staticTokens)
    {
        _tenantId = tenantId;
        foreach (var token in staticTokens)
        {
            _static[token.Token] = token;
        }
    }

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static string NormalizeAudience(string audience) => audience.Trim().TrimEnd('/');

    public static bool SameAudience(string a, string b) =>
        string.Equals(NormalizeAudience(a), NormalizeAudience(b), StringComparison.OrdinalIgnoreCase);

    public (string Token, DateTimeOffset ExpiresOn) Issue(string audience, string principalId, string clientId)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = now + Lifetime;
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = NormalizeAudience(audience),
            ["iss"] = $"https://sts.windows.net/{_tenantId}/",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["appid"] = clientId,
            ["idtyp"] = "app",
            ["oid"] = principalId,
            ["sub"] = principalId,
            ["tid"] = _tenantId,
            ["ver"] = "1.0",
        }));
        return ($"{header}.{payload}.{Sign(header, payload)}", expires);
    }

    public TokenCheck Validate(string token, out TokenInfo? info)
    {
        info = null;
        if (_static.TryGetValue(token, out var st))
        {
            info = new TokenInfo(st.Audience, st.PrincipalId, null, st.ExpiresOn ?? DateTimeOffset.MaxValue);
            return info.ExpiresOn <= DateTimeOffset.UtcNow ? TokenCheck.Expired : TokenCheck.Valid;
        }
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return TokenCheck.Invalid;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(parts[0], parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
        {
            return TokenCheck.Invalid;
        }
        try
        {
            using var claims = JsonDocument.Parse(FromB64(parts[1]));
            var root = claims.RootElement;
            info = new TokenInfo(
                root.GetProperty("aud").GetString() ?? "",
                root.TryGetProperty("oid", out var oid) ? oid.GetString() : null,
                root.TryGetProperty("appid", out var appid) ? appid.GetString() : null,
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return TokenCheck.Invalid;
        }
        return info.ExpiresOn <= DateTimeOffset.UtcNow ? TokenCheck.Expired : TokenCheck.Valid;
    }

    private string Sign(string header, string payload) =>
        B64(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(header + "." + payload)));

    private static string B64(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromB64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}

internal enum AuthResult { Ok, Unauthorized, Forbidden }

/// <summary>What the App Service front end does before a request reaches Kudu.</summary>
internal static class KuduAuth
{
    public static AuthResult Check(HttpContext ctx, SiteState site, TokenService tokens)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var settings = site.Settings;
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (!settings.BasicAuthEnabled || !TryDecodeBasic(header[6..].Trim(), out var user, out var password))
            {
                return AuthResult.Unauthorized;
            }
            var ok = string.Equals(user, settings.UserName, StringComparison.OrdinalIgnoreCase)
                     && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(settings.Password));
            return ok ? AuthResult.Ok : AuthResult.Unauthorized;
        }
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (tokens.Validate(header[7..].Trim(), out var info) != TokenCheck.Valid || info is null)
            {
                return AuthResult.Unauthorized;
            }
            if (!settings.AcceptedAudiences.Any(a => TokenService.SameAudience(a, info.Audience)))
            {
                return AuthResult.Forbidden;
            }
            return settings.IsAuthorized(info.PrincipalId) ? AuthResult.Ok : AuthResult.Forbidden;
        }
        return AuthResult.Unauthorized;
    }

    public static Task WriteFailureAsync(HttpContext ctx, RequestContext rc, AuthResult result)
    {
        if (result == AuthResult.Forbidden)
        {
            return Http.WriteTextAsync(ctx, rc, 403, "text/plain", "403 - Forbidden: Access is denied.");
        }
        ctx.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Http.HostName(ctx)}\"";
        return Http.WriteTextAsync(ctx, rc, 401, "text/plain", "401 - Unauthorized: Access is denied due to invalid credentials.");
    }

    private static bool TryDecodeBasic(string encoded, out string user, out string password)
    {
        user = password = "";
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }
            user = text[..colon];
            password = text[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>Resource Manager's token checks, with its error codes.</summary>
internal static class ArmAuth
{
    private static readonly string[] Audiences = ["https://management.azure.com", "https://management.core.windows.net"];

    public sealed record Failure(string Code, string Message);

    public static Failure? Check(HttpContext ctx, TokenService tokens, out TokenInfo? info)
    {
        info = null;
        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return new("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new("AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.");
        }
        switch (tokens.Validate(header[7..].Trim(), out info))
        {
            case TokenCheck.Expired:
                var now = DateTime.UtcNow.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture);
                var exp = info!.ExpiresOn.UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture);
                return new("ExpiredAuthenticationToken",
                    $"The access token expiry UTC time '{exp}' is earlier than current UTC time '{now}'.");
            case TokenCheck.Invalid:
                return new("InvalidAuthenticationToken", "The access token is invalid.");
        }
        var audience = info!.Audience;
        if (!Audiences.Any(a => TokenService.SameAudience(a, audience)))
        {
            return new("InvalidAuthenticationTokenAudience",
                $"The access token has been obtained for wrong audience or resource '{audience}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.");
        }
        return null;
    }
}
