using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Dumps
{
    internal sealed class AppDumpOptions
    {
        /// <summary>Which process names to dump (the cmdlet passes a wildcard match); null: the platform's worker.</summary>
        public Func<string, bool>? ProcessName { get; set; }

        public bool AllInstances { get; set; }

        /// <summary>Instances to ask (full ids, unique starts of one, machine names); ignored with AllInstances; none = the session's instance.</summary>
        public System.Collections.Generic.IReadOnlyList<string>? Instances { get; set; }

        /// <summary>The instances are the ones an alert named (its Instance dimension), for the messages.</summary>
        public bool InstancesFromAlert { get; set; }

        public bool IncludeScmSite { get; set; }

        public DumpKind Kind { get; set; } = null!;

        public bool Zip { get; set; }

        /// <summary>Bounds the run's requests; the session's limiter when null.</summary>
        public RequestLimiter? Limiter { get; set; }
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

        /// <summary>The platform's worker name, what the run looked for when no names were given.</summary>
        public string DefaultWorkerName = string.Empty;
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
            KuduClient kudu = session.Kudu(options.Limiter);
            // Read when called, after the first list told the platform (w3wp on Windows, dotnet on Linux).
            Func<string, bool> wanted = options.ProcessName ?? (name => string.Equals(name, kudu.Contract.DefaultWorkerName, StringComparison.OrdinalIgnoreCase));

            IReadOnlyList<string?> instances = options.AllInstances
                ? (await session.ListInstancesAsync(trace, cancellationToken).ConfigureAwait(false)).Select(i => (string?)i.Instance).ToList()
                : options.Instances is { Count: > 0 } given
                    ? await ResolveNamedAsync(session, given, options.InstancesFromAlert, observer, summary, trace, cancellationToken).ConfigureAwait(false)
                    : new List<string?> { null };
            if (instances.Count == 0)
            {
                return summary; // every named instance is gone: none is dumped in its place
            }

            trace.Verbose(options.AllInstances
                ? $"{session.SiteName} has {instances.Count} instance(s)."
                : instances[0] == null ? $"Asking the session's instance of {session.SiteName} (use -AllInstances for every instance)." : $"Asking {instances.Count} instance(s) of {session.SiteName}.");

            var listed = await Task.WhenAll(instances.Select(async instance =>
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
            })).ConfigureAwait(false);

            summary.DefaultWorkerName = kudu.Contract.DefaultWorkerName;
            List<KuduProcess> candidates = listed.SelectMany(p => p).Where(p => wanted(p.Name)).ToList();
            summary.Candidates = candidates.Count;
            trace.Verbose($"{candidates.Count} matching process(es) on {session.SiteName}; reading their details.");

            var details = await Task.WhenAll(candidates.Select(async process =>
            {
                try
                {
                    return await kudu.GetProcessAsync(process.Instance, process.Id, process.Name, includeEnvironment: false, trace, cancellationToken).ConfigureAwait(false);
                }
                catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound || ex.Kind == KuduErrorKind.InstanceNotFound)
                {
                    Interlocked.Increment(ref summary.Failed);
                    observer.Failed(process, ex);
                    return null;
                }
            })).ConfigureAwait(false);

            foreach (KuduProcessDetail? detail in details)
            {
                if (detail == null)
                {
                    continue;
                }

                if (detail.IsScmSite && !options.IncludeScmSite)
                {
                    Interlocked.Increment(ref summary.Skipped);
                    observer.Skipped(detail, DumpCandidate.ScmSiteReason);
                    continue;
                }

                if (!observer.ShouldDump(detail))
                {
                    Interlocked.Increment(ref summary.Skipped);
                    continue;
                }

                var request = new DumpRequest
                {
                    Target = KuduTarget.Of(session, detail.Instance, detail.Id, detail.Name),
                    Kind = options.Kind,
                    Zip = options.Zip,
                    Limiter = options.Limiter,
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

        /// <summary>
        /// The ids of the named instances. One that cannot be found (recycled since the alert fired) is one error
        /// naming it and the instances there are; the others go on, and no other instance is taken in its place.
        /// </summary>
        private static async Task<IReadOnlyList<string?>> ResolveNamedAsync(KuduSession session, IReadOnlyList<string> values, bool fromAlert, IAppDumpObserver observer, AppDumpSummary summary, IKuduTrace trace, CancellationToken cancellationToken)
        {
            var ids = new List<string?>();
            foreach (string value in values)
            {
                try
                {
                    string id = await InstanceResolver.ResolveAsync(session, value, trace, cancellationToken).ConfigureAwait(false);
                    if (fromAlert)
                    {
                        trace.Verbose($"The alert's instance {value} is instance {KuduTarget.ShortId(id)} of {session.SiteName}.");
                    }

                    if (!ids.Contains(id, StringComparer.OrdinalIgnoreCase))
                    {
                        ids.Add(id);
                    }
                }
                catch (KuduException ex) when (ex.Kind == KuduErrorKind.InstanceNotResolved || ex.Kind == KuduErrorKind.InstanceAmbiguous)
                {
                    Interlocked.Increment(ref summary.Failed);
                    observer.Failed(value, ex);
                }
            }

            return ids;
        }
    }
}
