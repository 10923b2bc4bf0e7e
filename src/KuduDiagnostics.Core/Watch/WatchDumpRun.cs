using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Watch
{
    /// <summary>
    /// Invoke-FunctionAppDump -Watch for one site: watch the processes the app-dump options name, and dump each
    /// one that fires into the sink, as the plain run does. Dumps start the moment a process fires and take their
    /// turn at the site's dump gate; the watch samples on meanwhile. When the watch ends (-Count, -Timeout), the
    /// dumps already started are finished.
    /// </summary>
    internal static class WatchDumpRun
    {
        public static async Task<AppDumpSummary> RunAsync(KuduSession session, IDumpSink sink, AppDumpOptions dump, WatchOptions watch, IAppDumpObserver observer, IKuduTrace trace, CancellationToken cancellationToken)
        {
            var summary = new AppDumpSummary { SiteName = session.SiteName, DefaultWorkerName = session.Kudu(dump.Limiter).Contract.DefaultWorkerName };
            watch.ProcessName = dump.ProcessName;
            watch.AllInstances = dump.AllInstances;
            watch.Instances = dump.Instances;
            watch.IncludeScmSite = dump.IncludeScmSite;
            watch.Limiter = dump.Limiter;

            var dumper = new Dumper(new AppDumpScope(session, sink, dump, observer, summary, trace, cancellationToken));
            try
            {
                WatchSummary watched = await WatchRun.RunAsync(session, watch, dumper, trace, cancellationToken).ConfigureAwait(false);
                summary.Candidates = watched.Processes;
                (summary.WatchTimedOut, summary.WatchedInstances, summary.WatchFirings) = (watched.TimedOut, watched.Instances, watched.Firings);
            }
            finally
            {
                await dumper.FinishAsync().ConfigureAwait(false);
            }

            return summary;
        }

        private sealed class Dumper : IWatchObserver
        {
            private readonly List<Task> _dumps = new List<Task>();
            private readonly AppDumpScope _run;

            public Dumper(AppDumpScope run)
            {
                _run = run;
            }

            public void Fired(KuduWatchFiring firing)
            {
                _run.Trace.Verbose($"{KuduTarget.Of(_run.Session, firing.Instance, firing.Id, firing.Name).Display} fired ({firing.Trigger}); dumping it.");

                // Off the sampling thread: ShouldProcess waits for the pipeline thread, and the dump for the site's turn.
                lock (_dumps)
                {
                    _dumps.Add(Task.Run(() => DumpAsync(firing)));
                }
            }

            public void Sampled(IReadOnlyList<WatchStatus> hottestFirst)
            {
            }

            public async Task FinishAsync()
            {
                Task[] all;
                lock (_dumps)
                {
                    all = _dumps.ToArray();
                }

                await Task.WhenAll(all).ConfigureAwait(false);
            }

            private Task DumpAsync(KuduWatchFiring firing)
            {
                // The observer speaks of process details; a firing carries the same identity.
                var process = new KuduProcessDetail { Session = _run.Session, Instance = firing.Instance, Id = firing.Id, Name = firing.Name };
                return AppDumpRun.DumpOneAsync(_run, process);
            }
        }
    }
}
