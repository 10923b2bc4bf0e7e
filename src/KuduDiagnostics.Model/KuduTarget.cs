using System.Globalization;

namespace KuduDiagnostics
{
    /// <summary>
    /// Where something happened: a site, one instance of it, or one process on that instance. Errors carry it as
    /// their target, and every message, progress bar and file name says "where" from it.
    /// </summary>
    public sealed class KuduTarget
    {
        /// <summary>How many characters of an instance id the tables and file names show.</summary>
        internal const int ShortIdLength = 6;

        internal KuduTarget(KuduSession? session, string siteName, string? slot, string? instance, int? id, string? name)
        {
            Session = session;
            SiteName = siteName;
            Slot = slot;
            Instance = instance;
            Id = id;
            Name = string.IsNullOrEmpty(name) ? null : name;
        }

        public KuduSession? Session { get; }
        public string SiteName { get; }
        public string? Slot { get; }

        /// <summary>The instance id (ARRAffinity value); null when the front end picks.</summary>
        public string? Instance { get; }

        public string? ShortInstance => Instance == null ? null : ShortId(Instance);

        /// <summary>The process id; null for a site or an instance.</summary>
        public int? Id { get; }

        /// <summary>The process name, when known.</summary>
        public string? Name { get; }

        /// <summary>"contoso" or "contoso instance 1a2b3c".</summary>
        public string Location => Instance == null ? SiteName : $"{SiteName} instance {ShortId(Instance)}";

        /// <summary>"w3wp (4100) on contoso instance 1a2b3c"; "process 4100 on ..." when the name is not known.</summary>
        public string Display => Id is int id
            ? $"{Name ?? "process"} ({id.ToString(CultureInfo.InvariantCulture)}) on {Location}"
            : Location;

        public static KuduTarget Of(KuduSession session, string? instance = null, int? id = null, string? name = null) =>
            new KuduTarget(session, session.SiteName, session.Slot, instance, id, name);

        /// <summary>The same place with what a later answer told (the instance that served, the process name).</summary>
        internal KuduTarget With(string? instance = null, string? name = null) =>
            new KuduTarget(Session, SiteName, Slot, instance ?? Instance, Id, name ?? Name);

        /// <summary>
        /// The one place an error says where: "w3wp (4100) on contoso instance b7c8d9: " before the message once the
        /// target names a process or an instance; a site-wide failure's message already names the host.
        /// </summary>
        internal static string Describe(KuduTarget? target, string message) =>
            target == null || (target.Id == null && target.Instance == null) ? message : target.Display + ": " + message;

        /// <summary>The one short form of an instance id, as tables, messages and file names show it.</summary>
        public static string ShortId(string instance) => instance.Length > ShortIdLength ? instance.Substring(0, ShortIdLength) : instance;

        public override string ToString() => Display;
    }
}
