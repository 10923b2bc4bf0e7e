using System.Linq;
using System.Management.Automation;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Lists this runspace's open Kudu sessions, oldest first (the last one is the default).</summary>
    [Cmdlet(VerbsCommon.Get, "KuduSession", DefaultParameterSetName = "All")]
    [OutputType(typeof(KuduSession))]
    public sealed class GetKuduSessionCommand : KuduCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = "Name")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Id")]
        public int[]? Id { get; set; }

        /// <summary>Only the session cmdlets use when -Session is not given.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Default")]
        public SwitchParameter Default { get; set; }

        internal override void Process()
        {
            if (Default.IsPresent)
            {
                KuduSession? current = SessionRegistry.Default(RunspaceId);
                if (current != null)
                {
                    WriteObject(current);
                }

                return;
            }

            var sessions = SessionRegistry.List(RunspaceId);
            if (Id != null)
            {
                foreach (int id in Id)
                {
                    KuduSession? match = sessions.FirstOrDefault(s => s.Id == id);
                    if (match == null)
                    {
                        WriteError(KuduErrors.Record(new ItemNotFoundException($"There is no open Kudu session with Id {id}."), "KuduSessionNotFound", ErrorCategory.ObjectNotFound, id));
                    }
                    else
                    {
                        WriteObject(match);
                    }
                }

                return;
            }

            if (Name == null)
            {
                WriteObject(sessions, enumerateCollection: true);
                return;
            }

            foreach (string name in Name)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var matches = sessions.Where(s => pattern.IsMatch(s.SiteName)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(KuduErrors.Record(new ItemNotFoundException($"There is no open Kudu session to a site named '{name}'."), "KuduSessionNotFound", ErrorCategory.ObjectNotFound, name));
                }

                WriteObject(matches, enumerateCollection: true);
            }
        }
    }
}
