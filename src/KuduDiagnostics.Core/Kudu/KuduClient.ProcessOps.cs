using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>Threads, modules, stop and profiles of one process, stamped with its session, instance and name; errors name it.</summary>
    internal sealed partial class KuduClient
    {
        /// <summary>Every thread in full: the list, then each thread's detail from the same instance, in parallel within the limiter.</summary>
        public Task<List<KuduThread>> GetThreadsAsync(KuduTarget target, IKuduTrace trace, CancellationToken cancellationToken)
        {
            int id = target.Id ?? 0;
            return AboutAsync(ex => Where(target, ex), async () =>
            {
                (List<KuduThread> listed, string? served) = await SendAsync(target.Instance,
                    a => Contract.ListThreadsAsync(a, id, Call(trace), cancellationToken), r => r.ServedInstance, false, trace).ConfigureAwait(false);
                _affinity.Record(served, null);
                string? instance = served ?? target.Instance;
                KuduThread?[] threads = await Task.WhenAll(listed.Select(t => Contract.GetThreadAsync(instance, id, t.Id, Call(trace), cancellationToken))).ConfigureAwait(false);
                int gone = threads.Count(t => t == null);
                if (gone > 0)
                {
                    trace.Verbose($"{gone} thread(s) of {target.With(instance).Display} ended between the list and their details.");
                }

                return threads.Where(t => t != null).Select(t => Stamp(t!, target, instance)).ToList();
            });
        }

        /// <summary>Every module in full: the list, then each module's detail from the same instance, in parallel within the limiter.</summary>
        public Task<List<KuduModule>> GetModulesAsync(KuduTarget target, IKuduTrace trace, CancellationToken cancellationToken)
        {
            int id = target.Id ?? 0;
            return AboutAsync(ex => Where(target, ex), async () =>
            {
                (List<KuduModule> listed, string? served) = await SendAsync(target.Instance,
                    a => Contract.ListModulesAsync(a, id, Call(trace), cancellationToken), r => r.ServedInstance, false, trace).ConfigureAwait(false);
                _affinity.Record(served, null);
                string? instance = served ?? target.Instance;
                KuduModule?[] modules = await Task.WhenAll(listed.Select(m => Contract.GetModuleAsync(instance, id, m.BaseAddress, Call(trace), cancellationToken))).ConfigureAwait(false);
                return modules.Where(m => m != null).Select(m => Stamp(m!, target, instance)).ToList();
            });
        }

        /// <summary>Kills the process on the target's instance. Sent once: a kill is never repeated.</summary>
        public Task KillAsync(KuduTarget target, IKuduTrace trace, CancellationToken cancellationToken) =>
            OnProcessAsync(target, a => Contract.KillAsync(a, target.Id ?? 0, Call(trace), cancellationToken), trace);

        public Task StartProfileAsync(KuduTarget target, bool iisProfiling, IKuduTrace trace, CancellationToken cancellationToken) =>
            OnProcessAsync(target, a => Contract.StartProfileAsync(a, target.Id ?? 0, iisProfiling, Call(trace), cancellationToken), trace);

        public Task<KuduDumpResponse> StopProfileAsync(KuduTarget target, IKuduTrace trace, CancellationToken cancellationToken) =>
            AboutAsync(_ => target, () => SendAsync(target.Instance, a => Contract.StopProfileAsync(a, target.Id ?? 0, Call(trace), cancellationToken), r => r.Instance, false, trace));

        private Task OnProcessAsync(KuduTarget target, System.Func<string?, Task<string?>> send, IKuduTrace trace) =>
            AboutAsync(_ => target, async () =>
            {
                string? served = await SendAsync(target.Instance, send, s => s, false, trace).ConfigureAwait(false);
                _affinity.Record(served, null);
                return served;
            });
    }
}
