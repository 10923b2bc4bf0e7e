namespace KuduDiagnostics.Commands
{
    /// <summary>What an error about one process names as its target.</summary>
    public sealed class ProcessTarget
    {
        internal ProcessTarget(KuduSession session, string? instance, int id)
        {
            Session = session;
            Instance = instance;
            Id = id;
        }

        public KuduSession Session { get; }
        public string? Instance { get; }
        public int Id { get; }

        /// <summary>"contoso" or "contoso instance 1a2b3c".</summary>
        public string Location => Instance == null ? Session.SiteName : $"{Session.SiteName} instance {Kudu.KuduClient.Short(Instance)}";

        internal int ActivityId { get; set; }

        public override string ToString() => $"{Location} process {Id}";
    }
}
