using System;
using System.Diagnostics;
using System.Threading;
using System.Text;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace KuduDiagnostics.Kudu
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
                        $"Could not get an Entra ID token for {_scope}: {ex.Message} In Azure Automation or App Service, turn on the managed identity (and pass -ManagedIdentityClientId for a user-assigned one); elsewhere sign in with 'az login' or Connect-AzAccount.",
                        inner: ex);
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

                KuduTracePolicy.TraceOf(message).Verbose(
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

    /// <summary>
    /// Reports every HTTP attempt to the caller's trace: method, URI without query secrets, status, time.
    /// Headers are never written (they carry the credentials).
    /// </summary>
    internal sealed class KuduTracePolicy : HttpPipelinePolicy
    {
        public const string TraceProperty = "KuduDiagnostics.Trace";

        public static IKuduTrace TraceOf(HttpMessage message) =>
            message.TryGetProperty(TraceProperty, out object? value) && value is IKuduTrace trace ? trace : NullTrace.Instance;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: true);

        private static async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
        {
            IKuduTrace trace = TraceOf(message);
            string target = $"{message.Request.Method} {RedactedUri.Of(message.Request.Uri.ToUri())}";
            var clock = Stopwatch.StartNew();
            try
            {
                if (async)
                {
                    await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                }
                else
                {
                    ProcessNext(message, pipeline);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                trace.Debug($"{target} failed after {clock.ElapsedMilliseconds} ms: {ex.GetType().Name}: {ex.Message}");
                throw;
            }

            trace.Debug($"{target} -> {message.Response.Status} {message.Response.ReasonPhrase} in {clock.ElapsedMilliseconds} ms");
        }
    }

    /// <summary>Classifies Kudu responses for the retry policy of idempotent reads.</summary>
    internal sealed class KuduReadClassifier : ResponseClassifier
    {
        public override bool IsRetriableResponse(HttpMessage message)
        {
            switch (message.Response.Status)
            {
                case 408:
                case 429:
                case 502:
                case 503:
                case 504:
                    return true;
                case 500:
                    // Kudu's own 500s carry {"Message":...} and are deterministic (no such w3wp, access denied);
                    // a 500 without that body comes from the front end or a recycling worker and may pass.
                    return !LooksLikeKuduJson(message.Response);
                default:
                    return false;
            }
        }

        public override bool IsErrorResponse(HttpMessage message) => message.Response.Status >= 400;

        private static bool LooksLikeKuduJson(Response response)
        {
            string? mediaType = response.Headers.ContentType;
            if (mediaType == null || mediaType.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0)
            {
                return false;
            }

            try
            {
                return KuduJson.TryReadErrorMessage(response.Content.ToString()) != null;
            }
            catch (InvalidOperationException)
            {
                return false; // content was not buffered
            }
        }
    }

    /// <summary>A dump is never retried: each attempt freezes the process again.</summary>
    internal sealed class NeverRetryClassifier : ResponseClassifier
    {
        public override bool IsRetriableResponse(HttpMessage message) => false;

        public override bool IsRetriableException(Exception exception) => false;

        public override bool IsRetriable(HttpMessage message, Exception exception) => false;

        public override bool IsErrorResponse(HttpMessage message) => message.Response.Status >= 400;
    }

    /// <summary>Makes URIs safe to print: drops the query string's secret parameters (SAS signatures, tokens).</summary>
    internal static class RedactedUri
    {
        private static readonly string[] SecretParameters = { "sig", "signature", "token", "code", "access_token", "skoid", "sktid", "skt", "ske", "sks", "skv", "skdutid", "sduoid" };

        /// <summary>Drops the query of every URI inside a message (SDK messages may quote request URIs).</summary>
        public static string StripQueries(string message) =>
            System.Text.RegularExpressions.Regex.Replace(message, @"(https?://[^\s?'""]+)\?[^\s'""]*", "$1?REDACTED");

        public static string Of(Uri uri)
        {
            if (string.IsNullOrEmpty(uri.Query))
            {
                return uri.GetLeftPart(UriPartial.Path);
            }

            var query = new StringBuilder();
            foreach (string pair in uri.Query.TrimStart('?').Split('&'))
            {
                if (pair.Length == 0)
                {
                    continue;
                }

                int eq = pair.IndexOf('=');
                string name = eq < 0 ? pair : pair.Substring(0, eq);
                query.Append(query.Length == 0 ? '?' : '&');
                query.Append(Array.Exists(SecretParameters, s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase))
                    ? name + "=REDACTED"
                    : pair);
            }

            return uri.GetLeftPart(UriPartial.Path) + query;
        }
    }
}
