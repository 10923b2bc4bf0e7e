namespace KuduDiagnostics
{
    /// <summary>
    /// Whether a Linux app's dotnet-monitor serves the routes KuduLite forwards process details and dumps to
    /// (/processes/{pid} and /dump/{pid}, which dotnet-monitor served up to 5.0.0-preview.5 only).
    /// </summary>
    public enum DotnetMonitorRoutes
    {
        /// <summary>Not known yet (or not a Linux app): no process detail or dump has been asked for.</summary>
        Unknown,

        /// <summary>A detail or dump answered: this app's dotnet-monitor serves KuduLite's routes.</summary>
        Served,

        /// <summary>
        /// The list answered but a detail or dump got dotnet-monitor's empty 404: it no longer serves the routes
        /// KuduLite forwards to, so details and dumps fail at once from then on.
        /// </summary>
        NotServed,
    }
}
