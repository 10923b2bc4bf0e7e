using System;
using System.Management.Automation;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Lists the instances of a site from Resource Manager. A session without Resource Manager (publishing
    /// credentials, a token) can only learn the one instance the front end picks; that one is returned.
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
                    WriteObject(Run(ct => session.ListInstancesAsync(Trace, ct)), enumerateCollection: true);
                    return;
                }

                WriteWarning($"The session to {session.SiteName} was not made through Resource Manager (-ResourceId with -UseAzureIdentity), so only the instance the front end picked is known.");
                var processes = Run(ct => session.Kudu().ListProcessesAsync(null, Trace, ct));
                string? served = processes.Count > 0 ? processes[0].Instance : null;
                if (served != null)
                {
                    WriteObject(new KuduInstance { Session = session, Instance = served });
                }
            }
            catch (Exception ex) when (ex is KuduException)
            {
                WriteFailure(ex, session);
            }
        }
    }
}
