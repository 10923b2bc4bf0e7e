using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace KuduDiagnostics.Http
{
    /// <summary>Adds the site's publishing credentials as HTTP Basic authentication.</summary>
    internal sealed class BasicAuthenticationPolicy : HttpPipelineSynchronousPolicy
    {
        private readonly string _headerValue;

        public BasicAuthenticationPolicy(string userName, string password)
        {
            _headerValue = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(userName + ":" + password));
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            message.Request.Headers.SetValue(HttpHeader.Names.Authorization, _headerValue);
        }
    }

    /// <summary>
    /// Adds an Entra ID bearer token for one scope, cached until shortly before it expires.
    /// </summary>
    /// <remarks>
    /// Azure.Core's BearerTokenAuthenticationPolicy refuses any http:// endpoint, and the emulator the tests run
    /// against is http on loopback. Session creation already refuses http to anything but loopback unless the
    /// user opts in (-AllowUnencryptedAuthentication), so this policy does not check again.
    /// </remarks>
    internal sealed class TokenAuthenticationPolicy : HttpPipelinePolicy
    {
        private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
        private readonly TokenCredential _credential;
        private readonly string _scope;
        private readonly SemaphoreSlim _refresh = new SemaphoreSlim(1, 1);
        private CachedToken? _cached;

        public TokenAuthenticationPolicy(TokenCredential credential, string scope)
        {
            _credential = credential;
            _scope = scope;
        }

        public string Scope => _scope;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: true);

        private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
        {
            string token = await GetTokenAsync(message.CancellationToken, async).ConfigureAwait(false);
            message.Request.Headers.SetValue(HttpHeader.Names.Authorization, "Bearer " + token);
            if (async)
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            else
            {
                ProcessNext(message, pipeline);
            }

            if (message.Response.Status == 401)
            {
                // A revoked or rotated token: fetch a fresh one next time.
                _cached = null;
            }
        }

        private async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken, bool async)
        {
            CachedToken? cached = _cached;
            if (cached != null && DateTimeOffset.UtcNow < cached.RefreshAt)
            {
                return cached.Value;
            }

            if (async)
            {
                await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _refresh.Wait(cancellationToken);
            }

            try
            {
                cached = _cached;
                if (cached != null && DateTimeOffset.UtcNow < cached.RefreshAt)
                {
                    return cached.Value;
                }

                var context = new TokenRequestContext(new[] { _scope });
                AccessToken token;
                try
                {
                    token = async
                        ? await _credential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false)
                        : _credential.GetToken(context, cancellationToken);
                }
                catch (AuthenticationFailedException ex)
                {
                    throw new KuduException(KuduErrorKind.AuthenticationFailed,
                        $"Could not get an Entra ID token for {_scope}: {ex.Message}",
                        inner: ex, advice: AdviceKey.SignInToEntra);
                }

                DateTimeOffset refreshAt = token.RefreshOn ?? token.ExpiresOn - RefreshMargin;
                _cached = new CachedToken(token.Token, refreshAt);
                return token.Token;
            }
            finally
            {
                _refresh.Release();
            }
        }

        private sealed class CachedToken
        {
            public CachedToken(string value, DateTimeOffset refreshAt)
            {
                Value = value;
                RefreshAt = refreshAt;
            }

            public string Value { get; }

            public DateTimeOffset RefreshAt { get; }
        }
    }

    /// <summary>
    /// Sends a bearer token for the first audience Kudu accepts. Kudu is moving from ARM-audience tokens to
    /// https://appservice.azure.com; when a site answers 403 to the preferred audience, the request is sent
    /// once more with the next one and the session remembers the one that worked.
    /// </summary>
    internal sealed class AudienceFallbackPolicy : HttpPipelinePolicy
    {
        private readonly TokenAuthenticationPolicy[] _policies;
        private volatile int _active;

        public AudienceFallbackPolicy(TokenCredential credential, string[] scopes)
        {
            _policies = Array.ConvertAll(scopes, scope => new TokenAuthenticationPolicy(credential, scope));
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: true);

        private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
        {
            int index = _active;
            while (true)
            {
                if (async)
                {
                    await _policies[index].ProcessAsync(message, pipeline).ConfigureAwait(false);
                }
                else
                {
                    _policies[index].Process(message, pipeline);
                }

                if (message.Response.Status != 403 || index + 1 >= _policies.Length)
                {
                    break;
                }

                TracePolicy.TraceOf(message).Verbose(
                    $"Kudu refused a token for {Audience(_policies[index].Scope)} (403); trying {Audience(_policies[index + 1].Scope)}.");
                message.Response.ContentStream?.Dispose();
                index++;
            }

            if (message.Response.Status != 403 && index != _active)
            {
                _active = index;
            }
        }

        private static string Audience(string scope) => scope.EndsWith("/.default", StringComparison.Ordinal)
            ? scope.Substring(0, scope.Length - "/.default".Length)
            : scope;
    }
}
