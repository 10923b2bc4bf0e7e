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

        /// <summary>Watches each site and dumps the processes that fire, instead of dumping at once.</summary>
        [Parameter]
        public SwitchParameter Watch { get; set; }

        /// <summary>With -Watch: the options every site's watch starts from; a terminating error if they cannot run.</summary>
        private void BeginWatch()
        {
            if (Watch.IsPresent)
            {
                _watch = WatchParameters.Options(this, this, DefaultWatchTimeout);
            }
            else if (Array.Find(TriggerParameterNames, MyInvocation.BoundParameters.ContainsKey) is string given)
            {
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

            // Each site gets its own copy: the watch takes the site's instances and names from the dump options.
            var watch = new WatchOptions
            {
                Triggers = _watch.Triggers,
                For = _watch.For,
                Interval = _watch.Interval,
                Count = _watch.Count,
                Cooldown = _watch.Cooldown,
                Timeout = _watch.Timeout,
            };
            return WatchDumpRun.RunAsync(session, sink, options, watch, observer, Trace, cancellationToken);
        }
    }
}
