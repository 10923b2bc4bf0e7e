using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace KuduDiagnostics.Commands
{
    /// <summary>Completes -Instance with the short ids the tables show (the machine name as tooltip), and the machine names too.</summary>
    public sealed class InstanceCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            KuduSession? session = CompleterSession.From(fakeBoundParameters);
            if (session == null)
            {
                yield break;
            }

            string? pinned = session.PinnedInstance;
            var machines = new List<CompletionResult>();
            foreach (KuduInstance instance in CompleterSession.InstancesOf(session))
            {
                string stays = string.Equals(instance.Instance, pinned, StringComparison.OrdinalIgnoreCase) ? " (the session's instance)" : string.Empty;
                if (instance.Instance.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CompletionResult(instance.ShortId, instance.ShortId, CompletionResultType.ParameterValue, (instance.MachineName ?? instance.Instance) + stays);
                }

                // Alerts split by Instance name the machine; -Instance takes that as well.
                if (instance.MachineName != null && instance.MachineName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    machines.Add(new CompletionResult(instance.MachineName, instance.MachineName, CompletionResultType.ParameterValue, $"instance {instance.ShortId}{stays}"));
                }
            }

            foreach (CompletionResult machine in machines)
            {
                yield return machine;
            }
        }
    }

    /// <summary>Completes -Id with the pids of the session's (or the -Instance's) processes, listed with their names.</summary>
    public sealed class ProcessIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            KuduSession? session = CompleterSession.From(fakeBoundParameters);
            KuduProcess[]? processes = session == null ? null : CompleterSession.ProcessesOf(session, fakeBoundParameters);
            if (processes == null)
            {
                yield break;
            }

            foreach (KuduProcess p in processes.OrderBy(p => p.Id))
            {
                string id = p.Id.ToString(CultureInfo.InvariantCulture);
                if (id.StartsWith(prefix, StringComparison.Ordinal))
                {
                    string where = p.Session == null ? p.Name : KuduTarget.Of(p.Session, p.Instance, p.Id, p.Name).Display;
                    yield return new CompletionResult(id, $"{id} {p.Name}", CompletionResultType.ParameterValue, p.IsScmSite ? where + " (the SCM site's worker)" : where);
                }
            }
        }
    }
}
