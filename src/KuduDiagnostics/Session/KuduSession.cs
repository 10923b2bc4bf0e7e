using System;
using System.Threading;
using Azure.Core.Pipeline;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics
{
    /// <summary>How a session proves its identity to the SCM site.</summary>
    public enum KuduAuthenticationType
    {
        /// <summary>Publishing (deployment) credentials sent as HTTP Basic.</summary>
        Basic,

        /// <summary>An Entra ID access token supplied by the caller.</summary>
        AccessToken,

        /// <summary>Azure.Identity: a managed identity, workload identity, Azure CLI or other developer sign-in.</summary>
        AzureIdentity,
    }

    /// <summary>
    /// A connection to one site's Kudu (SCM) endpoint: its address, how it authenticates, and one HTTP pipeline.
    /// The credential itself is held privately by the pipeline and never shown.
    /// </summary>
    public sealed class KuduSession : IDisposable
    {
        private static int s_lastId;
        private readonly DisposableHttpPipeline _pipeline;
        private int _disposed;

        internal KuduSession(KuduSessionInfo info, DisposableHttpPipeline pipeline)
        {
            Id = Interlocked.Increment(ref s_lastId);
            SiteName = info.SiteName;
            Slot = info.Slot;
            ScmUri = info.ScmUri;
            AuthenticationType = info.AuthenticationType;
            UserName = info.UserName;
            ResourceId = info.ResourceId;
            Environment = info.Environment;
            CreatedUtc = DateTime.UtcNow;
            _pipeline = pipeline;
            Kudu = new KuduClient(pipeline, info.ScmUri);
            Arm = info.Arm;
        }

        public int Id { get; }
        public string SiteName { get; }
        public string? Slot { get; }
        public Uri ScmUri { get; }
        public KuduAuthenticationType AuthenticationType { get; }

        /// <summary>The publishing user name for Basic sessions; null otherwise.</summary>
        public string? UserName { get; }

        /// <summary>The ARM resource id of the site, when the session was resolved through Resource Manager.</summary>
        public string? ResourceId { get; }

        public string? Environment { get; }
        public DateTime CreatedUtc { get; }
        public bool IsClosed => Volatile.Read(ref _disposed) != 0;

        internal KuduClient Kudu { get; }

        internal AzurePlatform.ResourceManagerClient? Arm { get; }

        /// <summary>Dumps are serialised per SCM host: Kudu writes every dump of a site to one fixed file.</summary>
        internal string DumpGateKey => ScmUri.Authority.ToLowerInvariant();

        public override string ToString() => Slot == null ? $"{SiteName} ({ScmUri.Authority})" : $"{SiteName}/{Slot} ({ScmUri.Authority})";

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _pipeline.Dispose();
                Arm?.Dispose();
            }
        }

        /// <summary>The ids of every instance of the site, from Resource Manager.</summary>
        internal async System.Threading.Tasks.Task<System.Collections.Generic.List<string>> ListInstancesAsync(IKuduTrace trace, CancellationToken cancellationToken)
        {
            if (Arm == null || ResourceId == null)
            {
                throw new KuduException(KuduErrorKind.InstancesUnavailable,
                    $"Listing the instances of {SiteName} needs Azure Resource Manager: create the session with -ResourceId and -UseAzureIdentity, or name the instances with -Instance (their ARRAffinity values).");
            }

            return await Arm.ListInstancesAsync(AzurePlatform.SiteResourceId.Parse(ResourceId), trace, cancellationToken).ConfigureAwait(false);
        }

        internal void ThrowIfClosed()
        {
            if (IsClosed)
            {
                throw new ObjectDisposedException(nameof(KuduSession), $"The Kudu session {Id} to {SiteName} was removed. Create a new one with New-KuduSession.");
            }
        }
    }

    /// <summary>What a session is built from, resolved before any connection exists.</summary>
    internal sealed class KuduSessionInfo
    {
        public string SiteName { get; set; } = string.Empty;
        public string? Slot { get; set; }
        public Uri ScmUri { get; set; } = null!;
        public KuduAuthenticationType AuthenticationType { get; set; }
        public string? UserName { get; set; }
        public string? ResourceId { get; set; }
        public string? Environment { get; set; }
        public AzurePlatform.ResourceManagerClient? Arm { get; set; }
    }
}
