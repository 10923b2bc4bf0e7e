using System;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>Builds the token credential of an Azure identity session.</summary>
    internal static class AzureIdentityFactory
    {
        /// <summary>
        /// A client id selects that user-assigned managed identity; otherwise DefaultAzureCredential tries the
        /// environment, workload identity, the managed identity of the host (App Service, Automation, VM) and
        /// developer sign-ins (Azure CLI, Azure PowerShell) in turn.
        /// </summary>
        public static TokenCredential Create(string? managedIdentityClientId, AzureCloud cloud)
        {
            if (!string.IsNullOrEmpty(managedIdentityClientId))
            {
                return new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId!));
            }

            return new DefaultAzureCredential(new DefaultAzureCredentialOptions { AuthorityHost = cloud.AuthorityHost });
        }
    }

    /// <summary>A token the caller obtained elsewhere (Get-AzAccessToken, az account get-access-token).</summary>
    internal sealed class StaticTokenCredential : TokenCredential
    {
        private readonly AccessToken _token;

        public StaticTokenCredential(string token)
        {
            _token = new AccessToken(token, ExpiryOf(token));
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => _token;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new ValueTask<AccessToken>(_token);

        /// <summary>Reads "exp" from a JWT so the pipeline knows when the token lapses; one hour for opaque tokens.</summary>
        internal static DateTimeOffset ExpiryOf(string token)
        {
            string[] parts = token.Split('.');
            if (parts.Length == 3)
            {
                try
                {
                    string payload = parts[1].Replace('-', '+').Replace('_', '/');
                    payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
                    using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("exp", out JsonElement exp) && exp.TryGetInt64(out long seconds))
                    {
                        return DateTimeOffset.FromUnixTimeSeconds(seconds);
                    }
                }
                catch (Exception ex) when (ex is FormatException || ex is JsonException || ex is ArgumentException)
                {
                    // Not a JWT after all; fall through.
                }
            }

            return DateTimeOffset.UtcNow.AddHours(1);
        }
    }
}
