using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Commands
{
    /// <summary>Lists the modules (DLLs) loaded in processes, with their versions and sizes, as Kudu's Process Explorer shows them.</summary>
    [Cmdlet(VerbsCommon.Get, "KuduProcessModule")]
    [OutputType(typeof(KuduModule))]
    public sealed class GetKuduProcessModuleCommand : ProcessPartCmdlet<KuduModule>
    {
        internal override Task<List<KuduModule>> FetchAsync(KuduClient kudu, KuduTarget target, CancellationToken cancellationToken) =>
            kudu.GetModulesAsync(target, Trace, cancellationToken);
    }
}
