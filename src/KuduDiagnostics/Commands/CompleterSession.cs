using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>What the completers read from the command line being typed, and the little they ask Kudu.</summary>
    /// <remarks>
    /// Asks at most once per session and instance every half minute, and gives up after a few seconds:
    /// completion must never hang a console.
    /// </remarks>
    internal static class CompleterSession
    {
        private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(5);
        private static readonly ConcurrentDictionary<string, (DateTime At, KuduProcess[] Processes)> s_processes = new ConcurrentDictionary<string, (DateTime, KuduProcess[])>();
        private static readonly ConcurrentDictionary<int, (DateTime At, KuduInstance[] Instances)> s_instances = new ConcurrentDictionary<int, (DateTime, KuduInstance[])>();

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

        /// <summary>The processes of the -Instance on the line (resolved against the instances met), else of the session's instance; null when Kudu does not answer.</summary>
        public static KuduProcess[]? ProcessesOf(KuduSession session, IDictionary fakeBoundParameters)
        {
            string? instance = FirstString(fakeBoundParameters, "Instance");
            if (instance != null)
            {
                try
                {
                    instance = InstanceResolver.Resolve(instance, session.MetInstances(), complete: false, session.SiteName);
                }
                catch (KuduException)
                {
                    instance = null;
                }
            }

            string key = session.Id + "|" + instance;
            if (s_processes.TryGetValue(key, out var cached) && DateTime.UtcNow - cached.At < CacheFor)
            {
                return cached.Processes;
            }

            try
            {
                using var timeout = new CancellationTokenSource(GiveUpAfter);
                KuduProcess[] processes = session.Kudu().ListProcessesAsync(instance, NullTrace.Instance, timeout.Token).GetAwaiter().GetResult().ToArray();
                s_processes[key] = (DateTime.UtcNow, processes);
                return processes;
            }
            catch (Exception)
            {
                // No completion is better than an error in the middle of typing.
                return null;
            }
        }

        /// <summary>
        /// Every instance from Resource Manager when the session can list them, else the instances met; each with its
        /// machine name, which the listing of an instance not asked yet tells (asked once, in parallel).
        /// </summary>
        public static KuduInstance[] InstancesOf(KuduSession session)
        {
            if (s_instances.TryGetValue(session.Id, out var cached) && DateTime.UtcNow - cached.At < CacheFor)
            {
                return cached.Instances;
            }

            try
            {
                using var timeout = new CancellationTokenSource(GiveUpAfter);
                KuduInstance[] instances = session.CanListInstances()
                    ? session.ListInstancesAsync(NullTrace.Instance, timeout.Token).GetAwaiter().GetResult().ToArray()
                    : session.MetInstances().ToArray();
                Task.WhenAll(instances.Where(i => i.MachineName == null)
                        .Select(i => session.Kudu().ListProcessesAsync(i.Instance, NullTrace.Instance, timeout.Token)))
                    .Wait(timeout.Token);
                foreach (KuduInstance instance in instances)
                {
                    instance.MachineName ??= session.MetInstances().FirstOrDefault(m => m.Instance == instance.Instance)?.MachineName;
                }

                if (session.CanListInstances())
                {
                    // The met list is local and grows as instances answer; only Resource Manager's answer is kept.
                    s_instances[session.Id] = (DateTime.UtcNow, instances);
                }

                return instances;
            }
            catch (Exception)
            {
                // No completion is better than an error in the middle of typing.
                return session.MetInstances().ToArray();
            }
        }
    }
}
