namespace KuduDiagnostics
{
    /// <summary>One instance (worker) of a scaled-out site; <see cref="Instance"/> is its id, the ARRAffinity value.</summary>
    /// <remarks>The id is called Instance, not Id, so that it pipes into -Instance rather than a process -Id.</remarks>
    public sealed class KuduInstance
    {
        public KuduSession? Session { get; internal set; }
        public string Instance { get; internal set; } = string.Empty;
        public string? State { get; internal set; }

        /// <summary>The worker's machine name (RD...), once Kudu on that instance has answered; null before.</summary>
        public string? MachineName { get; internal set; }
        public string ShortId => KuduTarget.ShortId(Instance);
        public string? SiteName => Session?.SiteName;
        public override string ToString() => Instance;
    }
}
