using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// Stopping one process: read it on its instance first (real id and name, Kudu's own is_scm_site, and the
    /// instance that answered), then send the kill to that instance only. A process already gone is not a failure.
    /// </summary>
    internal static class ProcessStop
    {
        /// <summary>The fact a refusal states; the cmdlet adds what to type.</summary>
        public const string ScmSiteFact = "it is the SCM (Kudu) site's own worker: stopping it ends Kudu itself, and with it every request, dump and profile in flight on that instance";

        /// <summary>The process as Kudu describes it now; null when it has exited.</summary>
        public static async Task<KuduProcessDetail?> InspectAsync(KuduTarget target, IKuduTrace trace, CancellationToken cancellationToken)
        {
            try
            {
                return await target.Session!.Kudu().GetProcessAsync(target.Instance, target.Id ?? 0, target.Name, includeEnvironment: false, trace, cancellationToken).ConfigureAwait(false);
            }
            catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound)
            {
                return null;
            }
        }

        /// <summary>Sends the kill to the instance that described the process; false when it exited meanwhile.</summary>
        public static async Task<bool> StopAsync(KuduProcessDetail process, IKuduTrace trace, CancellationToken cancellationToken)
        {
            KuduTarget target = TargetOf(process);
            trace.Verbose($"Stopping {target.Display} (DELETE, sent once).");
            try
            {
                await process.Session!.Kudu().KillAsync(target, trace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound)
            {
                return false;
            }
        }

        public static KuduTarget TargetOf(KuduProcessDetail process) => KuduTarget.Of(process.Session!, process.Instance, process.Id, process.Name);
    }
}
