using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Connects to a site's Kudu (SCM) endpoint; the new session becomes the runspace's default.</summary>
    [Cmdlet(VerbsCommon.New, "KuduSession", DefaultParameterSetName = NameCredential)]
    [OutputType(typeof(KuduSession))]
    public sealed class NewKuduSessionCommand : KuduCmdlet, ISessionParameters
    {
        private const string NameCredential = "NameCredential";
        private const string NameAccessToken = "NameAccessToken";
        private const string NameAzureIdentity = "NameAzureIdentity";
        private const string ScmUriCredential = "ScmUriCredential";
        private const string ScmUriAccessToken = "ScmUriAccessToken";
        private const string ScmUriAzureIdentity = "ScmUriAzureIdentity";
        private const string PublishSettings = "PublishSettings";
        private const string ResourceIdSet = "ResourceId";

        /// <summary>The site name (contoso for contoso.scm.azurewebsites.net); with -ScmUri, the name shown for the session.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameCredential)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameAccessToken)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameAzureIdentity)]
        [Parameter(ParameterSetName = ScmUriCredential)]
        [Parameter(ParameterSetName = ScmUriAccessToken)]
        [Parameter(ParameterSetName = ScmUriAzureIdentity)]
        [Parameter(ParameterSetName = PublishSettings)]
        [ValidateNotNullOrEmpty]
        [Alias("SiteName")]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = NameCredential)]
        [Parameter(ParameterSetName = NameAccessToken)]
        [Parameter(ParameterSetName = NameAzureIdentity)]
        [ValidateNotNullOrEmpty]
        public string? Slot { get; set; }

        /// <summary>The SCM endpoint itself, for apps whose SCM host cannot be derived from the name.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ScmUriCredential)]
        [Parameter(Mandatory = true, ParameterSetName = ScmUriAccessToken)]
        [Parameter(Mandatory = true, ParameterSetName = ScmUriAzureIdentity)]
        [ValidateNotNullOrEmpty]
        public string? ScmUri { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PublishSettings)]
        [ValidateNotNullOrEmpty]
        public string? PublishSettingsPath { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ResourceIdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? ResourceId { get; set; }

        /// <summary>The site's publishing (deployment) credentials.</summary>
        [Parameter(Mandatory = true, ParameterSetName = NameCredential)]
        [Parameter(Mandatory = true, ParameterSetName = ScmUriCredential)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>An Entra ID access token for https://appservice.azure.com (or https://management.azure.com).</summary>
        [Parameter(Mandatory = true, ParameterSetName = NameAccessToken)]
        [Parameter(Mandatory = true, ParameterSetName = ScmUriAccessToken)]
        [ValidateNotNull]
        public SecureString? AccessToken { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = NameAzureIdentity)]
        [Parameter(Mandatory = true, ParameterSetName = ScmUriAzureIdentity)]
        [Parameter(Mandatory = true, ParameterSetName = ResourceIdSet)]
        public SwitchParameter UseAzureIdentity { get; set; }

        [Parameter(ParameterSetName = NameAzureIdentity)]
        [Parameter(ParameterSetName = ScmUriAzureIdentity)]
        [Parameter(ParameterSetName = ResourceIdSet)]
        [ValidateNotNullOrEmpty]
        public string? ManagedIdentityClientId { get; set; }

        [Parameter(ParameterSetName = NameCredential)]
        [Parameter(ParameterSetName = NameAccessToken)]
        [Parameter(ParameterSetName = NameAzureIdentity)]
        [Parameter(ParameterSetName = ScmUriAzureIdentity)]
        [Parameter(ParameterSetName = ResourceIdSet)]
        [ValidateSet("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")]
        public string Environment { get; set; } = "AzureCloud";

        [Parameter(ParameterSetName = ResourceIdSet)]
        [ValidateNotNull]
        public Uri? ResourceManagerUrl { get; set; }

        /// <summary>Allows credentials over http:// to a host that is not loopback.</summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>The longest any request to the SCM site may take, retries and the whole answer included (dumps excepted).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        internal override void Process()
        {
            KuduSessionOptions options = this.ToOptions(this);

            object? target = (object?)ResourceId ?? ScmUri ?? Name ?? PublishSettingsPath;
            KuduSession session;
            try
            {
                session = Run(ct => KuduSessionFactory.CreateAsync(options, Trace, ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not PipelineStoppedException)
            {
                WriteFailure(ex, target);
                return;
            }

            // One cheap authenticated request before the session is kept: refused credentials fail here, and the
            // default session stays what it was.
            try
            {
                Run(ct => session.Kudu().CheckAccessAsync(Trace, ct));
            }
            catch (Exception ex)
            {
                session.Dispose();
                if (ex is OperationCanceledException || ex is PipelineStoppedException)
                {
                    throw;
                }

                WriteFailure(ex, target);
                return;
            }

            WriteVerbose($"Kudu at {session.ScmUri.Authority} accepted the session; it stays on instance {(session.PinnedInstance == null ? "(not named by the front end)" : KuduTarget.ShortId(session.PinnedInstance))}.");

            if (SessionRegistry.Add(RunspaceId, session))
            {
                CloseSessionsWithRunspace();
            }

            WriteObject(session);
        }

        /// <summary>A runspace's sessions hold HTTP connections; close them when the runspace closes.</summary>
        private void CloseSessionsWithRunspace()
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace == null)
            {
                return;
            }

            Guid id = runspace.InstanceId;
            runspace.StateChanged += (sender, e) =>
            {
                if (e.RunspaceStateInfo.State == RunspaceState.Closed || e.RunspaceStateInfo.State == RunspaceState.Broken)
                {
                    SessionRegistry.RemoveRunspace(id);
                }
            };
        }
    }
}
