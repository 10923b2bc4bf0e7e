using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Session
{
    /// <summary>Everything New-KuduSession was given. Exactly one way to find the site and one way to authenticate.</summary>
    internal sealed class KuduSessionOptions
    {
        public string? SiteName { get; set; }
        public string? Slot { get; set; }
        public string? ScmUri { get; set; }
        public string? PublishSettingsPath { get; set; }
        public string? ResourceId { get; set; }

        public NetworkCredential? Credential { get; set; }
        public string? AccessToken { get; set; }
        public bool UseAzureIdentity { get; set; }
        public string? ManagedIdentityClientId { get; set; }

        public string? Environment { get; set; }
        public Uri? ResourceManagerUrl { get; set; }
        public bool AllowUnencryptedAuthentication { get; set; }

        /// <summary>The longest a read may take, all attempts and its whole body included.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Lets tests supply a credential; the cmdlets never set it.</summary>
        public TokenCredential? TokenCredential { get; set; }
    }

    internal static class KuduSessionFactory
    {
        public static async Task<KuduSession> CreateAsync(KuduSessionOptions options, IKuduTrace trace, CancellationToken cancellationToken)
        {
            AzureCloud cloud = AzureCloud.FromName(options.Environment);
            var info = new SessionTarget { Environment = options.UseAzureIdentity || options.ResourceId != null ? cloud.Name : null };
            HttpPipelinePolicy authentication;
            TokenCredential? azureIdentity = null;

            if (options.PublishSettingsPath != null)
            {
                PublishSettings settings = PublishSettings.Load(options.PublishSettingsPath);
                info.SiteName = options.SiteName ?? settings.SiteName;
                info.ScmUri = settings.ScmUri;
                info.AuthenticationType = KuduAuthenticationType.Basic;
                info.UserName = settings.UserName;
                authentication = new BasicAuthenticationPolicy(settings.UserName, settings.Password);
            }
            else
            {
                TokenCredential? tokenCredential = null;
                if (options.Credential != null)
                {
                    info.AuthenticationType = KuduAuthenticationType.Basic;
                    info.UserName = options.Credential.UserName;
                    authentication = new BasicAuthenticationPolicy(options.Credential.UserName, options.Credential.Password);
                }
                else if (options.AccessToken != null)
                {
                    info.AuthenticationType = KuduAuthenticationType.AccessToken;
                    tokenCredential = new StaticTokenCredential(options.AccessToken);
                    authentication = new AudienceFallbackPolicy(tokenCredential, new[] { cloud.KuduScopes[0] });
                }
                else if (options.UseAzureIdentity || options.TokenCredential != null)
                {
                    info.AuthenticationType = KuduAuthenticationType.AzureIdentity;
                    tokenCredential = options.TokenCredential ?? AzureIdentityFactory.Create(options.ManagedIdentityClientId, cloud);
                    azureIdentity = tokenCredential;
                    authentication = new AudienceFallbackPolicy(tokenCredential, cloud.KuduScopes);
                }
                else
                {
                    throw new KuduArgumentException("No way to authenticate was given.", AdviceKey.NoAuthentication);
                }

                if (options.ResourceId != null)
                {
                    if (tokenCredential == null || info.AuthenticationType != KuduAuthenticationType.AzureIdentity)
                    {
                        throw new KuduArgumentException("A resource id is read from Azure Resource Manager, which needs an Azure identity.", AdviceKey.ResourceIdNeedsAzureIdentity);
                    }

                    await ResolveFromResourceManagerAsync(info, options, cloud, tokenCredential, trace, cancellationToken).ConfigureAwait(false);
                }
                else if (options.ScmUri != null)
                {
                    info.ScmUri = ScmAddress.Parse(options.ScmUri);
                    info.SiteName = options.SiteName ?? ScmAddress.SiteNameFromHost(info.ScmUri.Host);
                    info.Slot = options.Slot;
                }
                else if (options.SiteName != null)
                {
                    info.ScmUri = ScmAddress.FromName(options.SiteName, options.Slot, cloud);
                    info.SiteName = options.SiteName;
                    info.Slot = options.Slot;
                }
                else
                {
                    throw new KuduArgumentException("No site was given.", AdviceKey.NoSite);
                }
            }

            try
            {
                ScmAddress.EnsureEncryptedOrLoopback(info.ScmUri, options.AllowUnencryptedAuthentication);
            }
            catch
            {
                info.Arm?.Dispose();
                throw;
            }

            DisposableHttpPipeline pipeline = HttpPipelines.Build(authentication);
            trace.Verbose($"Kudu session to {info.ScmUri.Authority} ({info.SiteName}{(info.Slot == null ? string.Empty : "/" + info.Slot)}) using {info.AuthenticationType} authentication.");
            KuduSession? session = null;
            var connection = new KuduConnection(pipeline, info.ScmUri, info.Arm, azureIdentity, platform => session!.Platform = platform, routes => session!.DotnetMonitorRoutes = routes, options.Timeout);
            session = new KuduSession(info.SiteName, info.Slot, info.ScmUri, info.AuthenticationType, info.UserName, info.ResourceId, info.Environment, connection);
            connection.Contract.Set(info.Platform);
            session.TimeoutSec = (int)options.Timeout.TotalSeconds;
            return session;
        }

        private static async Task ResolveFromResourceManagerAsync(SessionTarget info, KuduSessionOptions options, AzureCloud cloud, TokenCredential credential, IKuduTrace trace, CancellationToken cancellationToken)
        {
            SiteResourceId id = SiteResourceId.Parse(options.ResourceId!);
            Uri endpoint = options.ResourceManagerUrl ?? cloud.ResourceManager;
            ScmAddress.EnsureEncryptedOrLoopback(endpoint, options.AllowUnencryptedAuthentication);
            var arm = new ResourceManagerClient(endpoint, credential, cloud.ResourceManagerScope);
            try
            {
                trace.Verbose($"Reading {id.Id} from Resource Manager at {endpoint.Authority}.");
                ArmSite site = await arm.GetSiteAsync(id, trace, cancellationToken).ConfigureAwait(false);
                if (site.ScmHost == null)
                {
                    string flavour = site.IsLinux && (string.Equals(site.Sku, "Dynamic", StringComparison.OrdinalIgnoreCase) || string.Equals(site.Sku, "FlexConsumption", StringComparison.OrdinalIgnoreCase))
                        ? $"a Linux {site.Sku} plan app"
                        : $"kind '{site.Kind}'";
                    throw new KuduException(KuduErrorKind.ScmSiteNotAvailable,
                        $"{site.Name} ({flavour}) has no SCM (Kudu) site, so its processes cannot be listed or dumped through Kudu. Linux Consumption and Flex Consumption apps have none; use Application Insights or a plan with Kudu.");
                }

                info.Arm = arm;
                info.ResourceId = site.Id;
                info.SiteName = id.Site;
                info.Slot = id.Slot;
                info.ScmUri = ScmAddress.FromArmHost(site.ScmHost);
                info.Platform = site.IsLinux || site.Kind.IndexOf("linux", StringComparison.OrdinalIgnoreCase) >= 0 ? KuduPlatform.Linux : KuduPlatform.Windows;
            }
            catch
            {
                arm.Dispose();
                throw;
            }
        }
    }

    /// <summary>What a session is built from, worked out before any connection exists.</summary>
    internal sealed class SessionTarget
    {
        public string SiteName { get; set; } = string.Empty;
        public string? Slot { get; set; }
        public Uri ScmUri { get; set; } = null!;
        public KuduAuthenticationType AuthenticationType { get; set; }
        public string? UserName { get; set; }
        public string? ResourceId { get; set; }
        public string? Environment { get; set; }
        public ResourceManagerClient? Arm { get; set; }

        /// <summary>Known from Resource Manager; otherwise found out from the first process list.</summary>
        public KuduPlatform Platform { get; set; }
    }
}
