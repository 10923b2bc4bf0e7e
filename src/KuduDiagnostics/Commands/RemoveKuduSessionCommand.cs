using System.Linq;
using System.Management.Automation;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Closes Kudu sessions and forgets them; the newest remaining one becomes the default.</summary>
    [Cmdlet(VerbsCommon.Remove, "KuduSession", DefaultParameterSetName = "Session", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(void))]
    public sealed class RemoveKuduSessionCommand : KuduCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Session")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public KuduSession[]? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        public int[]? Id { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "All")]
        public SwitchParameter All { get; set; }

        internal override void Process()
        {
            var open = SessionRegistry.List(RunspaceId);
            if (All.IsPresent)
            {
                foreach (KuduSession s in open)
                {
                    Remove(s);
                }

                return;
            }

            if (Id != null)
            {
                foreach (int id in Id)
                {
                    KuduSession? match = open.FirstOrDefault(s => s.Id == id);
                    if (match == null)
                    {
                        WriteError(KuduErrors.Record(new ItemNotFoundException($"There is no open Kudu session with Id {id}."), "KuduSessionNotFound", ErrorCategory.ObjectNotFound, id));
                        continue;
                    }

                    Remove(match);
                }

                return;
            }

            foreach (KuduSession s in Session!)
            {
                Remove(s);
            }
        }

        private void Remove(KuduSession session)
        {
            if (ShouldProcess(session.ToString(), "Remove Kudu session"))
            {
                SessionRegistry.Remove(session);
            }
        }
    }
}
