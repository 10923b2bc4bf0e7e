using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The parameters that say which site and how to sign in, as New-KuduSession and Invoke-FunctionAppDump both
    /// take them. Their parameter sets differ per cmdlet (Invoke's are also split by destination), so each declares
    /// them; what they mean is defined once, here.
    /// </summary>
    internal interface ISessionParameters
    {
        string? Name { get; }
        string? Slot { get; }
        string? ScmUri { get; }
        string? PublishSettingsPath { get; }
        string? ResourceId { get; }
        PSCredential? Credential { get; }
        SecureString? AccessToken { get; }
        SwitchParameter UseAzureIdentity { get; }
        string? ManagedIdentityClientId { get; }
        string Environment { get; }
        Uri? ResourceManagerUrl { get; }
        SwitchParameter AllowUnencryptedAuthentication { get; }
        int TimeoutSec { get; }
    }

    internal static class SessionParameters
    {
        /// <summary>What Invoke-FunctionAppDump says when it has no way to a site: every way there is.</summary>
        public const string InvokeNeedsASite =
            "Invoke-FunctionAppDump needs a site and a way to sign in, and there is no Kudu session to use. Give one of: " +
            "-ResourceId <the site's resource id> (signs in with the managed identity or another Azure sign-in); " +
            "-Name <site> with -Credential, -AccessToken or -UseAzureIdentity; -PublishSettingsPath <file>; " +
            "-WebhookData $WebhookData in a runbook an alert starts; or -Session (or run New-KuduSession first: it becomes the default).";

        /// <summary>The session options the parameters ask for; secrets leave their PowerShell wrappers only here.</summary>
        public static KuduSessionOptions ToOptions(this ISessionParameters p, PSCmdlet cmdlet) => new KuduSessionOptions
        {
            SiteName = p.Name,
            Slot = p.Slot,
            ScmUri = p.ScmUri,
            PublishSettingsPath = p.PublishSettingsPath == null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(p.PublishSettingsPath),
            ResourceId = p.ResourceId,
            Credential = p.Credential?.GetNetworkCredential(),
            AccessToken = p.AccessToken == null ? null : new NetworkCredential(string.Empty, p.AccessToken).Password,
            UseAzureIdentity = p.UseAzureIdentity.IsPresent,
            ManagedIdentityClientId = p.ManagedIdentityClientId,
            Environment = p.Environment,
            ResourceManagerUrl = p.ResourceManagerUrl,
            AllowUnencryptedAuthentication = p.AllowUnencryptedAuthentication.IsPresent,
            Timeout = TimeSpan.FromSeconds(p.TimeoutSec),
        };
    }
}
