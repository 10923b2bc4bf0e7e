using System;

namespace KuduDiagnostics
{
    /// <summary>One process of one instance of an App Service site, as Kudu lists it.</summary>
    /// <remarks>
    /// Carries <see cref="Session"/>, <see cref="Instance"/>, <see cref="Id"/> and <see cref="Name"/> so that
    /// it pipes by property name into Get-KuduProcessDetail and Save-KuduProcessDump.
    /// </remarks>
    public sealed class KuduProcess
    {
        public KuduSession? Session { get; internal set; }

        /// <summary>The instance (ARRAffinity value) that reported the process; null when the front end did not say.</summary>
        public string? Instance { get; internal set; }

        public int Id { get; internal set; }
        public string Name { get; internal set; } = string.Empty;
        public string? MachineName { get; internal set; }
        public string? UserName { get; internal set; }
        public Uri? Href { get; internal set; }

        /// <summary>Windows (Kudu) or Linux (dotnet-monitor through KuduLite).</summary>
        public KuduPlatform Platform { get; internal set; }

        /// <summary>
        /// True for the SCM (Kudu) site's own worker, read from the list's user name (its app pool is
        /// "~1" + the site's); false when the list shows no user name. The detail's IsScmSite is Kudu's own word.
        /// </summary>
        public bool IsScmSite { get; internal set; }

        public string? SiteName => Session?.SiteName;

        public override string ToString() => $"{Name} ({Id})";
    }
}
