using System.Management.Automation;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Commands
{
    /// <summary>Invoke-FunctionAppDump -Recycle: each worker is stopped once its dump is stored (and analysed), so the site recovers.</summary>
    public sealed partial class InvokeFunctionAppDumpCommand
    {
        /// <summary>Stops each worker after its dump was stored (and analysed, with -Analyze); the site starts a fresh one on its next request. Never the SCM site's worker.</summary>
        [Parameter]
        public SwitchParameter Recycle { get; set; }

        /// <summary>
        /// Called on the run's thread after the dump (and its analysis), so the site's next dump waits for the stop.
        /// The process is read again on its instance first: the kill goes only to a process that is still that worker.
        /// </summary>
        internal void RecycleAfterDump(KuduDumpResult result)
        {
            if (!Recycle.IsPresent || result.Session == null)
            {
                return;
            }

            KuduTarget asked = KuduTarget.Of(result.Session, result.Instance, result.ProcessId, result.ProcessName);
            try
            {
                KuduProcessDetail? process = ProcessStop.InspectAsync(asked, Trace, CancellationToken).GetAwaiter().GetResult();
                if (process == null)
                {
                    Trace.Warning($"{asked.Display} exited after its dump: nothing to recycle.");
                }
                else if (process.IsScmSite)
                {
                    Trace.Warning($"{asked.Display} was not recycled: {ProcessStop.ScmSiteFact}.");
                }
                else if (ProcessStop.StopAsync(process, Trace, CancellationToken).GetAwaiter().GetResult())
                {
                    Trace.Verbose($"Recycled {asked.Display} after its dump.");
                }
                else
                {
                    Trace.Warning($"{asked.Display} exited before the stop arrived: nothing to recycle.");
                }
            }
            catch (KuduException ex)
            {
                Bridge.Post(() => WriteFailure(ex, asked));
            }
        }
    }
}
