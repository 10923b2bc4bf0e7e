using System;
using System.Collections.Generic;
using System.Management.Automation;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Reads everything Kudu knows about processes, several at once; output keeps the input order.</summary>
    [Cmdlet(VerbsCommon.Get, "KuduProcessDetail")]
    [OutputType(typeof(KuduProcessDetail))]
    public sealed class GetKuduProcessDetailCommand : ThrottledKuduCmdlet
    {
        private OrderedWorkQueue<KuduProcessDetail>? _queue;
        private RequestLimiter? _limiter;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The instance that runs the process (from Get-KuduProcess), or a unique start of its id; without it, the session's instance.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string? Instance { get; set; }

        /// <summary>The process id. 0 is Kudu's own w3wp (the SCM site); -1 the first other w3wp.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessId")]
        [ArgumentCompleter(typeof(ProcessIdCompleter))]
        public int Id { get; set; }

        /// <summary>The process name (from Get-KuduProcess), so that errors name the process; Kudu's answer carries its own.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessName")]
        public string? Name { get; set; }

        /// <summary>Shows environment variable values; they hold the app's secrets (connection strings, keys).</summary>
        [Parameter]
        public SwitchParameter IncludeEnvironment { get; set; }

        internal override void Begin()
        {
            _queue = NewWorkQueue<KuduProcessDetail>();
            _limiter = NewLimiter();
        }

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null)
            {
                return;
            }

            if (!TryResolveInstance(session, Instance, out string? instance))
            {
                return;
            }

            int id = Id;
            bool includeEnvironment = IncludeEnvironment.IsPresent;
            string? name = Name;
            _queue!.Start(ct => session.Kudu(_limiter).GetProcessAsync(instance, id, name, includeEnvironment, Trace, ct), KuduTarget.Of(session, instance, id, name));
            _queue.FlushCompleted(Emit, WriteFailure);
        }

        internal override void End() => _queue!.Finish(Emit, WriteFailure);

        private void Emit(KuduProcessDetail detail, object target)
        {
            KuduTarget where = detail.Session == null ? (KuduTarget)target : KuduTarget.Of(detail.Session, detail.Instance, detail.Id, detail.Name);
            WriteVerbose($"Read {where}: {detail.ThreadCount?.ToString() ?? "?"} threads, {(detail.WorkingSet is long ws ? (ws / 1048576.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB" : "?")} working set.");
            if (detail.EnvironmentRedacted)
            {
                // The core only hides the values; how to see them is this cmdlet's to say.
                var shown = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string key in detail.EnvironmentVariables.Keys)
                {
                    shown[key] = Advice.RedactedValue;
                }

                detail.EnvironmentVariables = shown;
            }

            WriteObject(detail);
        }
    }
}
