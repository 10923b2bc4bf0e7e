using System;
using System.Linq;
using System.Management.Automation;
using KuduDiagnostics.Http;
using KuduDiagnostics.Watch;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Samples processes of every chosen instance through Kudu and emits a firing the moment a process has held
    /// every trigger for -For; pipe it into Save-KuduProcessDump to dump the process while it is still hot.
    /// </summary>
    [Cmdlet(VerbsCommon.Watch, "KuduProcess", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(KuduWatchFiring))]
    public sealed class WatchKuduProcessCommand : WatchingCmdlet, IDynamicParameters
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";
        private readonly WatchTriggerParameters _triggers = new WatchTriggerParameters();

        [Parameter]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>Process names (without .exe); wildcards allowed. Default: the platform's worker (w3wp on Windows).</summary>
        [Parameter(Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("ProcessName")]
        [ArgumentCompleter(typeof(ProcessNameCompleter))]
        public string[]? Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateNotNullOrEmpty]
        public int[]? Id { get; set; }

        /// <summary>Instances to watch: ids, any unique start of one, or machine names; without it, the session's instance.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string[]? Instance { get; set; }

        [Parameter]
        public SwitchParameter AllInstances { get; set; }

        [Parameter]
        public SwitchParameter IncludeScmSite { get; set; }

        /// <summary>The triggers, declared once with Invoke-FunctionAppDump -Watch's; always there for this cmdlet.</summary>
        public object GetDynamicParameters() => _triggers;

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null)
            {
                return;
            }

            WatchOptions options = WatchParameters.Options(this, _triggers);
            WildcardPattern[]? names = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            options.ProcessName = names == null ? null : name => names.Any(p => p.IsMatch(name));
            options.Ids = Id;
            options.AllInstances = AllInstances.IsPresent;
            options.Instances = Instance;
            options.IncludeScmSite = IncludeScmSite.IsPresent;
            options.Limiter = NewLimiter();

            var observer = new WatchObserver(this, session, options);
            WatchSummary? summary = null;
            try
            {
                summary = Run(ct => WatchRun.RunAsync(session, options, observer, Trace, ct));
            }
            catch (KuduException ex)
            {
                // 401, 403 and the like: no later sample can do better, so the watch ends here.
                WriteFailure(ex, session);
            }

            observer.Complete();
            if (summary is { Processes: 0 })
            {
                WriteWarning($"No process to watch was found on {session.SiteName}{(AllInstances.IsPresent || Instance != null ? string.Empty : " (add -AllInstances to look at every instance)")}.");
            }
            else if (summary is { TimedOut: true, Firings: 0 })
            {
                // Output is empty: without a word, a quiet process and a broken watch look the same.
                WriteWarning(WatchParameters.NothingFired(session.SiteName, options, summary.Processes, summary.Instances));
            }
        }
    }
}
