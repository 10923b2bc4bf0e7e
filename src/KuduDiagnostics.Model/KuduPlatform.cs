namespace KuduDiagnostics
{
    /// <summary>Which SCM site a session speaks to; the process API differs on the wire.</summary>
    public enum KuduPlatform
    {
        /// <summary>Not known yet: found out from Resource Manager or the first answer of the process API.</summary>
        Unknown,

        /// <summary>Windows App Service: Kudu's own process API (w3wp workers, MINIDUMP dumps).</summary>
        Windows,

        /// <summary>Linux App Service: KuduLite proxying to dotnet-monitor in the app's container (.NET processes, ELF cores).</summary>
        Linux,
    }
}
