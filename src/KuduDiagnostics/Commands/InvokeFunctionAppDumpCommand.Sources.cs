using System;
using System.Management.Automation;
using System.Security;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Invoke-FunctionAppDump's parameter sets and the parameters that say which site and how to sign in. A set is a
    /// source (a session, -ResourceId, -Name with one way to sign in, -PublishSettingsPath, -WebhookData) times a
    /// destination (-Path, -BlobContainerUri, -ConnectionString with -Container): 7 x 3 = 21 sets, well within the
    /// 32 Windows PowerShell allows. A -Path set carries the source's name alone; -Path is the default destination.
    /// Below, each attribute line is one source: its three sets, one per destination.
    /// </summary>
    public sealed partial class InvokeFunctionAppDumpCommand
    {
        private const string BlobUri = "BlobContainerUri";
        private const string Connection = "ConnectionString";

        private const string SessionSet = "Session", SessionBlobSet = SessionSet + BlobUri, SessionConnectionSet = SessionSet + Connection;
        private const string ResourceIdSet = "ResourceId", ResourceIdBlobSet = ResourceIdSet + BlobUri, ResourceIdConnectionSet = ResourceIdSet + Connection;
        private const string CredentialSet = "NameCredential", CredentialBlobSet = CredentialSet + BlobUri, CredentialConnectionSet = CredentialSet + Connection;
        private const string TokenSet = "NameAccessToken", TokenBlobSet = TokenSet + BlobUri, TokenConnectionSet = TokenSet + Connection;
        private const string IdentitySet = "NameAzureIdentity", IdentityBlobSet = IdentitySet + BlobUri, IdentityConnectionSet = IdentitySet + Connection;
        private const string PublishSettingsSet = "PublishSettings", PublishSettingsBlobSet = PublishSettingsSet + BlobUri, PublishSettingsConnectionSet = PublishSettingsSet + Connection;
        private const string WebhookSet = "WebhookData", WebhookBlobSet = WebhookSet + BlobUri, WebhookConnectionSet = WebhookSet + Connection;

        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = SessionSet), Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = SessionBlobSet), Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = SessionConnectionSet)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The site's resource id; binds from the Id of Get-AzWebApp and Get-AzFunctionApp objects.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ResourceIdSet), Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ResourceIdBlobSet), Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ResourceIdConnectionSet)]
        [Parameter(ParameterSetName = WebhookSet), Parameter(ParameterSetName = WebhookBlobSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        [ValidateNotNullOrEmpty]
        [Alias("Id")]
        public string? ResourceId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CredentialSet), Parameter(Mandatory = true, ParameterSetName = CredentialBlobSet), Parameter(Mandatory = true, ParameterSetName = CredentialConnectionSet)]
        [Parameter(Mandatory = true, ParameterSetName = TokenSet), Parameter(Mandatory = true, ParameterSetName = TokenBlobSet), Parameter(Mandatory = true, ParameterSetName = TokenConnectionSet)]
        [Parameter(Mandatory = true, ParameterSetName = IdentitySet), Parameter(Mandatory = true, ParameterSetName = IdentityBlobSet), Parameter(Mandatory = true, ParameterSetName = IdentityConnectionSet)]
        [ValidateNotNullOrEmpty]
        [Alias("SiteName")]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = CredentialSet), Parameter(ParameterSetName = CredentialBlobSet), Parameter(ParameterSetName = CredentialConnectionSet)]
        [Parameter(ParameterSetName = TokenSet), Parameter(ParameterSetName = TokenBlobSet), Parameter(ParameterSetName = TokenConnectionSet)]
        [Parameter(ParameterSetName = IdentitySet), Parameter(ParameterSetName = IdentityBlobSet), Parameter(ParameterSetName = IdentityConnectionSet)]
        [ValidateNotNullOrEmpty]
        public string? Slot { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PublishSettingsSet), Parameter(Mandatory = true, ParameterSetName = PublishSettingsBlobSet), Parameter(Mandatory = true, ParameterSetName = PublishSettingsConnectionSet)]
        [ValidateNotNullOrEmpty]
        public string? PublishSettingsPath { get; set; }

        /// <summary>The $WebhookData of a runbook started by an Azure Monitor alert (common alert schema).</summary>
        [Parameter(Mandatory = true, ParameterSetName = WebhookSet), Parameter(Mandatory = true, ParameterSetName = WebhookBlobSet), Parameter(Mandatory = true, ParameterSetName = WebhookConnectionSet)]
        [ValidateNotNull]
        public object? WebhookData { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CredentialSet), Parameter(Mandatory = true, ParameterSetName = CredentialBlobSet), Parameter(Mandatory = true, ParameterSetName = CredentialConnectionSet)]
        [Credential]
        public PSCredential? Credential { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = TokenSet), Parameter(Mandatory = true, ParameterSetName = TokenBlobSet), Parameter(Mandatory = true, ParameterSetName = TokenConnectionSet)]
        public SecureString? AccessToken { get; set; }

        /// <summary>Signs in with Azure.Identity (a managed identity in Automation); implied by -ResourceId and -WebhookData.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdentitySet), Parameter(Mandatory = true, ParameterSetName = IdentityBlobSet), Parameter(Mandatory = true, ParameterSetName = IdentityConnectionSet)]
        [Parameter(ParameterSetName = ResourceIdSet), Parameter(ParameterSetName = ResourceIdBlobSet), Parameter(ParameterSetName = ResourceIdConnectionSet)]
        [Parameter(ParameterSetName = WebhookSet), Parameter(ParameterSetName = WebhookBlobSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        public SwitchParameter UseAzureIdentity { get; set; }

        [Parameter(ParameterSetName = IdentitySet), Parameter(ParameterSetName = IdentityBlobSet), Parameter(ParameterSetName = IdentityConnectionSet)]
        [Parameter(ParameterSetName = ResourceIdSet), Parameter(ParameterSetName = ResourceIdBlobSet), Parameter(ParameterSetName = ResourceIdConnectionSet)]
        [Parameter(ParameterSetName = WebhookSet), Parameter(ParameterSetName = WebhookBlobSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        [ValidateNotNullOrEmpty]
        public string? ManagedIdentityClientId { get; set; }

        [Parameter(ParameterSetName = CredentialSet), Parameter(ParameterSetName = CredentialBlobSet), Parameter(ParameterSetName = CredentialConnectionSet)]
        [Parameter(ParameterSetName = TokenSet), Parameter(ParameterSetName = TokenBlobSet), Parameter(ParameterSetName = TokenConnectionSet)]
        [Parameter(ParameterSetName = IdentitySet), Parameter(ParameterSetName = IdentityBlobSet), Parameter(ParameterSetName = IdentityConnectionSet)]
        [Parameter(ParameterSetName = ResourceIdSet), Parameter(ParameterSetName = ResourceIdBlobSet), Parameter(ParameterSetName = ResourceIdConnectionSet)]
        [Parameter(ParameterSetName = WebhookSet), Parameter(ParameterSetName = WebhookBlobSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        [ValidateSet("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")]
        public string Environment { get; set; } = "AzureCloud";

        [Parameter(ParameterSetName = ResourceIdSet), Parameter(ParameterSetName = ResourceIdBlobSet), Parameter(ParameterSetName = ResourceIdConnectionSet)]
        [Parameter(ParameterSetName = WebhookSet), Parameter(ParameterSetName = WebhookBlobSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        [ValidateNotNull]
        public Uri? ResourceManagerUrl { get; set; }

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>The longest any request to the SCM site may take, retries and the whole answer included (dumps excepted).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        string? ISessionParameters.ScmUri => null;
    }
}
