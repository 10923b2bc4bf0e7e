using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Tab completion of process names, from the processes of the session (and instance) on the line.</summary>
    public sealed class ProcessNameCompleter : IArgumentCompleter
    {
        private static readonly string[] Usual = { "w3wp", "dotnet", "node", "php-cgi", "java", "python" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            KuduSession? session = CompleterSession.From(fakeBoundParameters);
            KuduProcess[]? processes = session == null ? null : CompleterSession.ProcessesOf(session, fakeBoundParameters);
            string[] names = processes == null
                ? Usual
                : processes.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
            return names
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, session == null ? n : $"{n} on {session.SiteName}"));
        }
    }

    /// <summary>Completes -Session with an expression that yields the session: (Get-KuduSession -Id 2).</summary>
    public sealed class SessionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"', '(', ')');
            foreach (KuduSession session in SessionRegistry.List(CompleterSession.RunspaceId).Reverse())
            {
                string id = session.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (word.Length == 0 || session.SiteName.StartsWith(word, StringComparison.OrdinalIgnoreCase) || id.StartsWith(word, StringComparison.Ordinal)
                    || "(Get-KuduSession -Id ".StartsWith(word, StringComparison.OrdinalIgnoreCase) || word.StartsWith("Get-KuduSession", StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CompletionResult(
                        $"(Get-KuduSession -Id {id})",
                        $"{id}: {session}",
                        CompletionResultType.ParameterValue,
                        $"{session.SiteName} via {session.AuthenticationType}, {session.ScmUri.Authority}");
                }
            }
        }
    }
}
