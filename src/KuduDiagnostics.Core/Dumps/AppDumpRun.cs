using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Dumps
{
    internal sealed class AppDumpOptions
    {
        /// <summary>Which process names to dump (the cmdlet passes a wildcard match).</summary>
        public Func<string, bool> ProcessName { get; set; } = name => string.Equals(name, "w3wp", StringComparison.OrdinalIgnoreCase);

        public bool AllInstances { get; set; }

        /// <summary>Instance ids to ask (ARRAffinity values); ignored with AllInstances; none = the front end picks.</summary>
        public System.Collections.Generic.IReadOnlyList<string>? Instances { get; set; }

        public bool IncludeScmSite { get; set; }

        public DumpKind Kind { get; set; } = null!;

        public bool Zip { get; set; }

        /// <summary>How many list and detail lookups run at once.</summary>
        public int LookupConcurrency { get; set; } = 8;
    }

    /// <summary>What a run reports as it goes; the cmdlet turns each into PowerShell output on its thread.</summary>
    internal interface IAppDumpObserver
    {
        /// <summary>Asked before each dump (ShouldProcess); false skips it.</summary>
        bool ShouldDump(KuduProcessDetail process);

        void Dumped(KuduDumpResult result);

        void Skipped(KuduProcessDetail process, string reason);

        void Failed(object target, Exception error);

        void Progress(DumpProgress progress);
    }

    /// <summary>Counts of one site's run (fields: lookups update them from several threads).</summary>
    internal sealed class AppDumpSummary
    {
        public int Candidates;
        public int Dumped;
        public int Skipped;
        public int Failed;
    }

    /// <summary>
    /// The whole Invoke-FunctionAppDump flow for one site: list the processes of its instances, read their
    /// details in parallel, leave out the SCM site's worker (by is_scm_site, never by name or id), and dump
    /// the rest one at a time (Kudu writes every dump of a site to one file) into the sink.
    /// </summary>
    internal static class AppDumpRun
    {
        public static async Task<AppDumpSummary> RunAsync(KuduSession session, IDumpSink sink, AppDumpOptions options, IAppDumpObserver observer, IKuduTrace trace, CancellationToken cancellationToken)
        {
            var summary = new AppDumpSummary();
            KuduClient kudu = session.Kudu();

            IReadOnlyList<string?> instances = options.AllInstances
                ? (await session.ListInstancesAsync(trace, cancellationToken).ConfigureAwait(false)).Select(i => (string?)i.Instance).ToList()
                : options.Instances is { Count: > 0 } given ? given.Select(i => (string?)i).ToList() : new List<string?> { null };
            trace.Verbose(options.AllInstances
                ? $"{session.SiteName} has {instances.Count} instance(s)."
                : instances[0] == null ? $"Asking the instance the front end picks for {session.SiteName} (use -AllInstances for every instance)." : $"Asking {instances.Count} instance(s) of {session.SiteName}.");

            var listed = await Bounded.SelectAsync(instances, options.LookupConcurrency, async instance =>
            {
                try
                {
                    return await kudu.ListProcessesAsync(instance, trace, cancellationToken).ConfigureAwait(false);
                }
                catch (KuduException ex) when (instances.Count > 1)
                {
                    // One instance recycling must not cost the dumps of the others.
                    Interlocked.Increment(ref summary.Failed);
                    observer.Failed(instance!, ex);
                    return new List<KuduProcess>();
                }
            }).ConfigureAwait(false);

            List<KuduProcess> candidates = listed.SelectMany(p => p).Where(p => options.ProcessName(p.Name)).ToList();
            summary.Candidates = candidates.Count;
            trace.Verbose($"{candidates.Count} matching process(es) on {session.SiteName}; reading their details.");

            var details = await Bounded.SelectAsync(candidates, options.LookupConcurrency, async process =>
            {
                try
                {
                    KuduProcessDetail detail = await kudu.GetProcessAsync(process.Instance, process.Id, includeEnvironment: false, trace, cancellationToken).ConfigureAwait(false);
                    detail.Session = session;
                    return detail;
                }
                catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound || ex.Kind == KuduErrorKind.InstanceNotFound)
                {
                    Interlocked.Increment(ref summary.Failed);
                    process.Session = session;
                    observer.Failed(process, ex);
                    return null;
                }
            }).ConfigureAwait(false);

            foreach (KuduProcessDetail? detail in details)
            {
                if (detail == null)
                {
                    continue;
                }

                if (detail.IsScmSite && !options.IncludeScmSite)
                {
                    Interlocked.Increment(ref summary.Skipped);
                    observer.Skipped(detail, "it is the SCM (Kudu) site's own worker; add -IncludeScmSite to dump it too");
                    continue;
                }

                if (!observer.ShouldDump(detail))
                {
                    Interlocked.Increment(ref summary.Skipped);
                    continue;
                }

                var request = new DumpRequest
                {
                    Session = session,
                    Instance = detail.Instance,
                    ProcessId = detail.Id,
                    ProcessName = detail.Name,
                    Kind = options.Kind,
                    Zip = options.Zip,
                };

                try
                {
                    observer.Dumped(await DumpTransfer.RunAsync(request, sink, observer.Progress, trace, new DumpTransferOptions(), cancellationToken).ConfigureAwait(false));
                    Interlocked.Increment(ref summary.Dumped);
                }
                catch (Exception ex) when (ex is KuduException || ex is DumpDestinationException)
                {
                    Interlocked.Increment(ref summary.Failed);
                    observer.Failed(detail, ex);
                }
            }

            return summary;
        }
    }

    /// <summary>Task-based parallel map with a concurrency bound (netstandard2.0 has no Parallel.ForEachAsync).</summary>
    internal static class Bounded
    {
        public static async Task<TResult[]> SelectAsync<TItem, TResult>(IReadOnlyList<TItem> items, int limit, Func<TItem, Task<TResult>> select)
        {
            using var slots = new SemaphoreSlim(Math.Max(1, limit));
            var tasks = new Task<TResult>[items.Count];
            for (int i = 0; i < items.Count; i++)
            {
                TItem item = items[i];
                tasks[i] = Run(item);
            }

            return await Task.WhenAll(tasks).ConfigureAwait(false);

            async Task<TResult> Run(TItem item)
            {
                await slots.WaitAsync().ConfigureAwait(false);
                try
                {
                    return await select(item).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            }
        }
    }
}
