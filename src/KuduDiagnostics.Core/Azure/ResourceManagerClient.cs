using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>The little of Azure Resource Manager the module needs: a site's SCM host and its instances.</summary>
    internal sealed class ResourceManagerClient : IDisposable
    {
        internal const string ApiVersion = "2024-11-01";

        private readonly DisposableHttpPipeline _pipeline;
        private readonly Uri _endpoint;

        public ResourceManagerClient(Uri endpoint, TokenCredential credential, string scope)
        {
            _endpoint = endpoint;
            _pipeline = HttpPipelines.Build(new TokenAuthenticationPolicy(credential, scope));
        }

        public async Task<ArmSite> GetSiteAsync(SiteResourceId id, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using JsonDocument doc = await GetAsync(id.Id, id, trace, cancellationToken).ConfigureAwait(false);
            JsonElement root = doc.RootElement;
            JsonElement properties = root.TryGetProperty("properties", out JsonElement p) ? p : default;
            var site = new ArmSite
            {
                Id = Str(root, "id") ?? id.Id,
                Name = Str(root, "name") ?? id.Site,
                Kind = Str(root, "kind") ?? string.Empty,
                Sku = properties.ValueKind == JsonValueKind.Object ? Str(properties, "sku") : null,
                IsLinux = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("reserved", out JsonElement r) && r.ValueKind == JsonValueKind.True,
            };

            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("hostNameSslStates", out JsonElement states) && states.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement state in states.EnumerateArray())
                {
                    if (string.Equals(Str(state, "hostType"), "Repository", StringComparison.OrdinalIgnoreCase))
                    {
                        site.ScmHost = Str(state, "name");
                        break;
                    }
                }
            }

            if (site.ScmHost == null && properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("enabledHostNames", out JsonElement names) && names.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement name in names.EnumerateArray())
                {
                    string? host = name.GetString();
                    if (host != null && host.IndexOf(".scm.", StringComparison.OrdinalIgnoreCase) > 0)
                    {
                        site.ScmHost = host;
                        break;
                    }
                }
            }

            return site;
        }

        public async Task<List<KuduInstance>> ListInstancesAsync(SiteResourceId id, IKuduTrace trace, CancellationToken cancellationToken)
        {
            var instances = new List<KuduInstance>();
            string? next = id.Id + "/instances";
            while (next != null)
            {
                using JsonDocument doc = await GetAsync(next, id, trace, cancellationToken).ConfigureAwait(false);
                if (doc.RootElement.TryGetProperty("value", out JsonElement value) && value.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        string? name = Str(item, "name");
                        if (!string.IsNullOrEmpty(name))
                        {
                            JsonElement properties = item.TryGetProperty("properties", out JsonElement p) ? p : default;
                            instances.Add(new KuduInstance { Instance = name!, State = Str(properties, "state"), MachineName = Str(properties, "machineName") });
                        }
                    }
                }

                next = Str(doc.RootElement, "nextLink");
            }

            return instances;
        }

        public void Dispose() => _pipeline.Dispose();

        private async Task<JsonDocument> GetAsync(string pathOrLink, SiteResourceId id, IKuduTrace trace, CancellationToken cancellationToken)
        {
            using HttpMessage message = _pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            if (Uri.TryCreate(pathOrLink, UriKind.Absolute, out Uri? link) && link.Scheme.StartsWith("http", StringComparison.Ordinal))
            {
                message.Request.Uri.Reset(link);
            }
            else
            {
                message.Request.Uri.Reset(new Uri(_endpoint, pathOrLink.TrimStart('/')));
                message.Request.Uri.AppendQuery("api-version", ApiVersion);
            }

            message.SetProperty(TracePolicy.TraceProperty, trace);
            Uri uri = message.Request.Uri.ToUri();
            try
            {
                await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException || ex is HttpRequestException || ex is System.IO.IOException || ex is OperationCanceledException)
            {
                throw new KuduException(KuduErrorKind.Unreachable,
                    $"Could not reach Azure Resource Manager at {_endpoint.Authority}: {ex.Message}",
                    requestUri: uri, inner: ex);
            }

            Response response = message.Response;
            if (response.Status >= 400)
            {
                (string? code, string? text) = ArmError(response);
                string detail = text == null ? string.Empty : $" Resource Manager said: {text}";
                switch (response.Status)
                {
                    case 401:
                        throw new KuduException(KuduErrorKind.AuthenticationFailed,
                            $"Resource Manager refused the token (401 {code}).{detail}", response.Status, text, uri);
                    case 403:
                        throw new KuduException(KuduErrorKind.AccessDenied,
                            $"The identity may not read {id.Id} (403 {code}). Assign it the Website Contributor role on the site (or on its resource group).{detail}", response.Status, text, uri);
                    case 404:
                        throw new KuduException(KuduErrorKind.ResourceNotFound,
                            $"Resource Manager found no site {id.Id} (404 {code}). Check the subscription, resource group and site name.{detail}", response.Status, text, uri);
                    default:
                        throw new KuduException(response.Status >= 500 ? KuduErrorKind.ServerError : KuduErrorKind.BadRequest,
                            $"Resource Manager answered {response.Status} {code} for {id.Id}.{detail}", response.Status, text, uri);
                }
            }

            try
            {
                return JsonDocument.Parse(response.Content.ToMemory());
            }
            catch (JsonException ex)
            {
                throw new KuduException(KuduErrorKind.InvalidResponse, $"Resource Manager's answer for {id.Id} is not JSON.", response.Status, requestUri: uri, inner: ex);
            }
        }

        private static (string? Code, string? Message) ArmError(Response response)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(response.Content.ToMemory());
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
                {
                    return (Str(error, "code"), Str(error, "message"));
                }
            }
            catch (JsonException)
            {
            }

            return (null, null);
        }

        private static string? Str(JsonElement o, string name) =>
            o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    /// <summary>What Resource Manager says of a site.</summary>
    internal sealed class ArmSite
    {
        public string Id { get; set; } = string.Empty;
        public string Name { get; set; } = string.Empty;
        public string Kind { get; set; } = string.Empty;
        public string? Sku { get; set; }
        public bool IsLinux { get; set; }
        public string? ScmHost { get; set; }
    }
}
