using System;
using System.Collections.Generic;
using System.Management.Automation;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Lists the instances of a site from Resource Manager. A session without Resource Manager (publishing
    /// credentials, a token) knows only the instances that have answered it; those are returned.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "KuduInstance")]
    [OutputType(typeof(KuduInstance))]
    public sealed class GetKuduInstanceCommand : KuduCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null)
            {
                return;
            }

            try
            {
                if (session.CanListInstances())
                {
                    List<KuduInstance> listed = Run(ct => session.ListInstancesAsync(Trace, ct));
                    WriteVerbose($"Asked Resource Manager for the instances of {session.SiteName}: {listed.Count} listed.");
                    WriteObject(listed, enumerateCollection: true);
                    return;
                }

                WriteWarning($"The session to {session.SiteName} was not made through Resource Manager (-ResourceId with -UseAzureIdentity), so only the instances that have answered it are known.");

                // Asking the session's instance for its processes also tells its machine name.
                Run(ct => session.Kudu().ListProcessesAsync(null, Trace, ct));
                IReadOnlyList<KuduInstance> met = session.MetInstances();
                WriteVerbose($"{session.SiteName}: {met.Count} instance(s) have answered this session.");
                WriteObject(met, enumerateCollection: true);
            }
            catch (Exception ex) when (ex is KuduException)
            {
                WriteFailure(ex, session);
            }
        }
    }
}
