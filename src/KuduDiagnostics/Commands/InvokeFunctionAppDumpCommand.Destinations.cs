using System;
using System.Management.Automation;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Invoke-FunctionAppDump's destinations, as Save-KuduProcessDump's: a folder (-Path, the default), a container
    /// by URI, or a connection string with a container. Each is its own set per source, so only one can be given.
    /// Each attribute line names a destination's sets: of the four single-set sources, then of the three -Name ones.
    /// </summary>
    public sealed partial class InvokeFunctionAppDumpCommand
    {
        /// <summary>A folder for the dumps; the current location when no blob destination is given.</summary>
        [Parameter(ParameterSetName = SessionSet), Parameter(ParameterSetName = ResourceIdSet), Parameter(ParameterSetName = PublishSettingsSet), Parameter(ParameterSetName = WebhookSet)]
        [Parameter(ParameterSetName = CredentialSet), Parameter(ParameterSetName = TokenSet), Parameter(ParameterSetName = IdentitySet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionBlobSet), Parameter(Mandatory = true, ParameterSetName = ResourceIdBlobSet), Parameter(Mandatory = true, ParameterSetName = PublishSettingsBlobSet), Parameter(Mandatory = true, ParameterSetName = WebhookBlobSet)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialBlobSet), Parameter(Mandatory = true, ParameterSetName = TokenBlobSet), Parameter(Mandatory = true, ParameterSetName = IdentityBlobSet)]
        [ValidateNotNull]
        public Uri? BlobContainerUri { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionConnectionSet), Parameter(Mandatory = true, ParameterSetName = ResourceIdConnectionSet), Parameter(Mandatory = true, ParameterSetName = PublishSettingsConnectionSet), Parameter(Mandatory = true, ParameterSetName = WebhookConnectionSet)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialConnectionSet), Parameter(Mandatory = true, ParameterSetName = TokenConnectionSet), Parameter(Mandatory = true, ParameterSetName = IdentityConnectionSet)]
        [ValidateNotNullOrEmpty]
        public string? ConnectionString { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionConnectionSet), Parameter(Mandatory = true, ParameterSetName = ResourceIdConnectionSet), Parameter(Mandatory = true, ParameterSetName = PublishSettingsConnectionSet), Parameter(Mandatory = true, ParameterSetName = WebhookConnectionSet)]
        [Parameter(Mandatory = true, ParameterSetName = CredentialConnectionSet), Parameter(Mandatory = true, ParameterSetName = TokenConnectionSet), Parameter(Mandatory = true, ParameterSetName = IdentityConnectionSet)]
        [ValidateNotNullOrEmpty]
        [Alias("ContainerName")]
        public string? Container { get; set; }

        [Parameter(ParameterSetName = SessionBlobSet), Parameter(ParameterSetName = ResourceIdBlobSet), Parameter(ParameterSetName = PublishSettingsBlobSet), Parameter(ParameterSetName = WebhookBlobSet)]
        [Parameter(ParameterSetName = CredentialBlobSet), Parameter(ParameterSetName = TokenBlobSet), Parameter(ParameterSetName = IdentityBlobSet)]
        [Parameter(ParameterSetName = SessionConnectionSet), Parameter(ParameterSetName = ResourceIdConnectionSet), Parameter(ParameterSetName = PublishSettingsConnectionSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        [Parameter(ParameterSetName = CredentialConnectionSet), Parameter(ParameterSetName = TokenConnectionSet), Parameter(ParameterSetName = IdentityConnectionSet)]
        public string? BlobPrefix { get; set; }

        [Parameter(ParameterSetName = SessionBlobSet), Parameter(ParameterSetName = ResourceIdBlobSet), Parameter(ParameterSetName = PublishSettingsBlobSet), Parameter(ParameterSetName = WebhookBlobSet)]
        [Parameter(ParameterSetName = CredentialBlobSet), Parameter(ParameterSetName = TokenBlobSet), Parameter(ParameterSetName = IdentityBlobSet)]
        [Parameter(ParameterSetName = SessionConnectionSet), Parameter(ParameterSetName = ResourceIdConnectionSet), Parameter(ParameterSetName = PublishSettingsConnectionSet), Parameter(ParameterSetName = WebhookConnectionSet)]
        [Parameter(ParameterSetName = CredentialConnectionSet), Parameter(ParameterSetName = TokenConnectionSet), Parameter(ParameterSetName = IdentityConnectionSet)]
        public SwitchParameter CreateContainer { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }
    }
}
