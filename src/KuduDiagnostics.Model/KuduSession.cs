using System;
using System.Threading;

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
    /// A connection to one site's Kudu (SCM) endpoint: its address and how it authenticates. The credential and
    /// the HTTP pipeline live in a private connection object that is never shown.
    /// </summary>
    public sealed class KuduSession : IDisposable
    {
        private static int s_lastId;
        private int _closed;

        internal KuduSession(string siteName, string? slot, Uri scmUri, KuduAuthenticationType authenticationType, string? userName, string? resourceId, string? environment, IKuduConnection connection)
        {
            Id = Interlocked.Increment(ref s_lastId);
            SiteName = siteName;
            Slot = slot;
            ScmUri = scmUri;
            AuthenticationType = authenticationType;
            UserName = userName;
            ResourceId = resourceId;
            Environment = environment;
            CreatedUtc = DateTime.UtcNow;
            Connection = connection;
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

        /// <summary>The Azure cloud of an Azure identity session (AzureCloud, AzureUSGovernment, AzureChinaCloud).</summary>
        public string? Environment { get; }

        public DateTime CreatedUtc { get; }

        /// <summary>Windows or Linux; Unknown until Resource Manager or the first process list tells.</summary>
        public KuduPlatform Platform { get; internal set; }

        /// <summary>The longest any request of this session may take, retries and the whole answer included (New-KuduSession -TimeoutSec); dumps have their own stall timeout.</summary>
        public int TimeoutSec { get; internal set; } = 100;

        /// <summary>
        /// Linux apps: whether dotnet-monitor serves the routes KuduLite forwards details and dumps to. Found out by
        /// the first detail or dump; once NotServed, later details and dumps fail at once with the same error.
        /// </summary>
        public DotnetMonitorRoutes DotnetMonitorRoutes { get; internal set; }

        public bool IsClosed => Volatile.Read(ref _closed) != 0;

        /// <summary>
        /// The instance this session stays on when no -Instance is given: the first that answered, as a browser
        /// keeps the ARRAffinity cookie. Null until an instance has answered.
        /// </summary>
        public string? PinnedInstance => IsClosed ? null : Connection.PinnedInstance;

        /// <summary>Holds the credential and HTTP pipeline (KuduDiagnostics.Core); opaque here.</summary>
        internal IKuduConnection Connection { get; }

        /// <summary>Dumps are serialised per SCM host: Kudu writes every dump of a site to one fixed file.</summary>
        internal string DumpGateKey => ScmUri.Authority.ToLowerInvariant();

        public override string ToString() => Slot == null ? $"{SiteName} ({ScmUri.Authority})" : $"{SiteName}/{Slot} ({ScmUri.Authority})";

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Connection.Dispose();
            }
        }

        /// <summary>What a removed session says: which one, and what to do (no "Object name" line).</summary>
        internal string RemovedMessage =>
            $"The Kudu session {Id} to {SiteName} was removed with Remove-KuduSession. Create a new one with New-KuduSession, or pass an open one to -Session (Get-KuduSession lists them).";

        internal void ThrowIfClosed()
        {
            if (IsClosed)
            {
                throw new ObjectDisposedException(null, RemovedMessage);
            }
        }
    }

    /// <summary>What the public face reads from the private connection of the core.</summary>
    internal interface IKuduConnection : IDisposable
    {
        /// <summary>The instance requests without -Instance go to; null until one has answered.</summary>
        string? PinnedInstance { get; }
    }
}
