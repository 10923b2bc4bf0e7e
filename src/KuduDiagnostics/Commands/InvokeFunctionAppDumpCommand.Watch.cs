using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Watch;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Invoke-FunctionAppDump -Watch: the triggers of Watch-KuduProcess, same names. Instead of dumping at once,
    /// each site is watched (for -Timeout, 15 minutes by default: a runbook must end) and what fires is dumped.
    /// </summary>
    public sealed partial class InvokeFunctionAppDumpCommand
    {
        /// <summary>A runbook's watch ends; without -Timeout it ends after this long.</summary>
        internal static readonly TimeSpan DefaultWatchTimeout = TimeSpan.FromMinutes(15);

        private WatchOptions? _watch;
        private WatchTriggerParameters? _triggers;

        /// <summary>Watches each site and dumps the processes that fire, instead of dumping at once.</summary>
        [Parameter]
        public SwitchParameter Watch { get; set; }

        /// <summary>The triggers exist only with -Watch: without it the binder refuses them, and completion does not offer them.</summary>
        public object? GetDynamicParameters() => Watch.IsPresent ? Triggers : null;

        private WatchTriggerParameters Triggers => _triggers ??= new WatchTriggerParameters();

        /// <summary>With -Watch: the options every site's watch starts from; a terminating error if they cannot run.</summary>
        private void BeginWatch()
        {
            if (Watch.IsPresent)
            {
                _watch = WatchParameters.Options(this, Triggers, DefaultWatchTimeout);
            }
            else if (Array.Find(TimingParameterNames, MyInvocation.BoundParameters.ContainsKey) is string given)
            {
                // The binder refuses the other triggers without -Watch; these two are static (WatchingCmdlet says why).
                ThrowTerminatingError(KuduErrors.Record(
                    new ArgumentException($"-{given} is a watch parameter: add -Watch to watch each site and dump what fires."),
                    "KuduWatchInvalid", ErrorCategory.InvalidArgument, given));
            }
        }

        /// <summary>One site's run: the plain flow, or the watch that dumps what fires.</summary>
        private Task<AppDumpSummary> RunSiteAsync(KuduSession session, IDumpSink sink, AppDumpOptions options, IAppDumpObserver observer, CancellationToken cancellationToken)
        {
            if (_watch == null)
            {
                return AppDumpRun.RunAsync(session, sink, options, observer, Trace, cancellationToken);
            }

            // Each site gets its own copy (checked in Begin): the watch takes the site's instances and names from the dump options.
            WatchOptions watch = WatchParameters.Build(this, Triggers, DefaultWatchTimeout);
            return WatchDumpRun.RunAsync(session, sink, options, watch, observer, Trace, cancellationToken);
        }
    }
}
