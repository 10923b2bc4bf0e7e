using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Commands
{
    /// <summary>Lists the threads of processes with their state, wait reason, priorities and CPU times, as Kudu's Process Explorer shows them.</summary>
    [Cmdlet(VerbsCommon.Get, "KuduProcessThread")]
    [OutputType(typeof(KuduThread))]
    public sealed class GetKuduProcessThreadCommand : ProcessPartCmdlet<KuduThread>
    {
        internal override Task<List<KuduThread>> FetchAsync(KuduClient kudu, KuduTarget target, CancellationToken cancellationToken) =>
            kudu.GetThreadsAsync(target, Trace, cancellationToken);
    }
}
