using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Threading;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Tab completion of process names, from the processes of the session (and instance) on the line.</summary>
    /// <remarks>
    /// Asks Kudu at most once per session and instance every half minute, and gives up after a few seconds:
    /// completion must never hang a console.
    /// </remarks>
    public sealed class ProcessNameCompleter : IArgumentCompleter
    {
        private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(5);
        private static readonly ConcurrentDictionary<string, (DateTime At, string[] Names)> s_cache = new ConcurrentDictionary<string, (DateTime, string[])>();
        private static readonly string[] Usual = { "w3wp", "dotnet", "node", "php-cgi", "java", "python" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            KuduSession? session = CompleterSession.From(fakeBoundParameters);
            string? instance = CompleterSession.FirstString(fakeBoundParameters, "Instance");
            string[] names = session == null ? Usual : NamesOf(session, instance);
            return names
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, session == null ? n : $"{n} on {session.SiteName}"));
        }

        private static string[] NamesOf(KuduSession session, string? instance)
        {
            string key = session.Id + "|" + instance;
            if (s_cache.TryGetValue(key, out var cached) && DateTime.UtcNow - cached.At < CacheFor)
            {
                return cached.Names;
            }

            try
            {
                using var timeout = new CancellationTokenSource(GiveUpAfter);
                var processes = session.Kudu().ListProcessesAsync(instance, NullTrace.Instance, timeout.Token).GetAwaiter().GetResult();
                string[] names = processes.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
                s_cache[key] = (DateTime.UtcNow, names);
                return names;
            }
            catch (Exception)
            {
                // No completion is better than an error in the middle of typing.
                return Usual;
            }
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

    /// <summary>What the completers read from the command line being typed.</summary>
    internal static class CompleterSession
    {
        public static Guid RunspaceId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

        /// <summary>The -Session already on the line when it is a variable's value, else the default session.</summary>
        public static KuduSession? From(IDictionary fakeBoundParameters)
        {
            object? value = fakeBoundParameters.Contains("Session") ? fakeBoundParameters["Session"] : null;
            if (value is PSObject pso)
            {
                value = pso.BaseObject;
            }

            if (value is object[] array && array.Length > 0)
            {
                value = array[0] is PSObject first ? first.BaseObject : array[0];
            }

            KuduSession? session = value as KuduSession ?? SessionRegistry.Default(RunspaceId);
            return session == null || session.IsClosed ? null : session;
        }

        public static string? FirstString(IDictionary fakeBoundParameters, string name)
        {
            if (!fakeBoundParameters.Contains(name))
            {
                return null;
            }

            object? value = fakeBoundParameters[name];
            if (value is PSObject pso)
            {
                value = pso.BaseObject;
            }

            return value switch
            {
                string s => s,
                object[] array when array.Length > 0 => array[0]?.ToString(),
                _ => null,
            };
        }
    }
}
