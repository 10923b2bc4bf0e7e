using System;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>The endpoints and token audiences of one Azure cloud.</summary>
    internal sealed class AzureCloud
    {
        public static readonly AzureCloud Public = new AzureCloud(
            "AzureCloud",
            new Uri("https://management.azure.com/"),
            "https://management.azure.com/.default",
            new[] { "https://appservice.azure.com/.default", "https://management.azure.com/.default" },
            "scm.azurewebsites.net",
            new Uri("https://login.microsoftonline.com/"));

        public static readonly AzureCloud USGovernment = new AzureCloud(
            "AzureUSGovernment",
            new Uri("https://management.usgovcloudapi.net/"),
            "https://management.usgovcloudapi.net/.default",
            new[] { "https://appservice.azure.us/.default", "https://management.usgovcloudapi.net/.default" },
            "scm.azurewebsites.us",
            new Uri("https://login.microsoftonline.us/"));

        public static readonly AzureCloud China = new AzureCloud(
            "AzureChinaCloud",
            new Uri("https://management.chinacloudapi.cn/"),
            "https://management.chinacloudapi.cn/.default",
            new[] { "https://appservice.azure.cn/.default", "https://management.chinacloudapi.cn/.default" },
            "scm.chinacloudsites.cn",
            new Uri("https://login.chinacloudapi.cn/"));

        private AzureCloud(string name, Uri resourceManager, string resourceManagerScope, string[] kuduScopes, string scmSuffix, Uri authorityHost)
        {
            Name = name;
            ResourceManager = resourceManager;
            ResourceManagerScope = resourceManagerScope;
            KuduScopes = kuduScopes;
            ScmSuffix = scmSuffix;
            AuthorityHost = authorityHost;
        }

        public string Name { get; }
        public Uri ResourceManager { get; }
        public string ResourceManagerScope { get; }

        /// <summary>Preferred first: App Service's own audience, then the (deprecated for Kudu) ARM audience.</summary>
        public string[] KuduScopes { get; }

        public string ScmSuffix { get; }
        public Uri AuthorityHost { get; }

        public static AzureCloud FromName(string? name)
        {
            switch ((name ?? "AzureCloud").ToLowerInvariant())
            {
                case "azurecloud":
                    return Public;
                case "azureusgovernment":
                    return USGovernment;
                case "azurechinacloud":
                    return China;
                default:
                    throw new KuduArgumentException($"'{name}' is not a known Azure environment: use AzureCloud, AzureUSGovernment or AzureChinaCloud.", AdviceKey.UnknownEnvironment);
            }
        }
    }
}
