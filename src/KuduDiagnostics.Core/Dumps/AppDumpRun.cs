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

        /// <summary>-Compress: Kudu's zip, unpacked as it streams.</summary>
        public bool Compress { get; set; }

        /// <summary>Bounds the run's requests; the session's limiter when null.</summary>
        public RequestLimiter? Limiter { get; set; }
    }

    /// <summary>What a run reports as it goes; the cmdlet turns each into PowerShell output on its thread.</summary>
    internal interface IAppDumpObserver
    {
        /// <summary>Asked before each dump (ShouldProcess); false skips it.</summary>
        bool ShouldDump(KuduProcessDetail process);

        void Dumped(KuduDumpResult result);

        /// <summary>Left out, and why: the core's fact, with advice the cmdlet phrases.</summary>
        void Skipped(KuduProcessDetail process, string reason, KuduAdvice advice);

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

        /// <summary>The site the run was about, for its messages.</summary>
        public string SiteName = string.Empty;

        /// <summary>With -Watch: the watch ended at its -Timeout, over this many instances, having fired this often.</summary>
        public bool WatchTimedOut;
        public int WatchedInstances;
        public int WatchFirings;
    }

    /// <summary>What every step of one site's run shares: where dumps go, what they are, who hears of them, the counts, the trace and the token.</summary>
    internal sealed class AppDumpScope
    {
        public AppDumpScope(KuduSession session, IDumpSink sink, AppDumpOptions options, IAppDumpObserver observer, AppDumpSummary summary, IKuduTrace trace, CancellationToken cancellationToken)
        {
            (Session, Sink, Options, Observer) = (session, sink, options, observer);
            (Summary, Trace, CancellationToken) = (summary, trace, cancellationToken);
        }

        public KuduSession Session { get; }
        public IDumpSink Sink { get; }
        public AppDumpOptions Options { get; }
        public IAppDumpObserver Observer { get; }
        public AppDumpSummary Summary { get; }
        public IKuduTrace Trace { get; }
        public CancellationToken CancellationToken { get; }
    }

    /// <summary>
    /// The whole Invoke-FunctionAppDump flow for one site: list the processes of its instances, read their
    /// details in parallel, leave out the SCM site's worker (by is_scm_site, never by name or id), and dump
    /// the rest one at a time (Kudu writes every dump of a site to one file) into the sink. The steps overlap:
    /// an instance's details are asked for as soon as its list arrives, and the next process's detail is read
    /// while the current one is dumped, so the site's dumps run back to back. Dumps keep today's order: by
    /// instance as given or listed, then as Kudu lists the processes.
    /// </summary>
    internal static class AppDumpRun
    {
        public static async Task<AppDumpSummary> RunAsync(KuduSession session, IDumpSink sink, AppDumpOptions options, IAppDumpObserver observer, IKuduTrace trace, CancellationToken cancellationToken)
        {
            var summary = new AppDumpSummary();
            var run = new AppDumpScope(session, sink, options, observer, summary, trace, cancellationToken);
            KuduClient kudu = session.Kudu(options.Limiter);
            // Read when called, after the first list told the platform (w3wp on Windows, dotnet on Linux).
            Func<string, bool> wanted = options.ProcessName ?? (name => string.Equals(name, kudu.Contract.DefaultWorkerName, StringComparison.OrdinalIgnoreCase));

            IReadOnlyList<string?> instances = await InstanceResolver.ExpandAsync(session, options.AllInstances, options.Instances, trace, cancellationToken,
                value => ResolveNamedAsync(run, value)).ConfigureAwait(false);
            if (instances.Count == 0)
            {
                return summary; // every named instance is gone: none is dumped in its place
            }

            if (!options.AllInstances && instances[0] == null)
            {
                trace.Verbose($"Asking the session's instance of {session.SiteName}.", AdviceKey.AllInstances);
            }
            else
            {
                trace.Verbose(options.AllInstances ? $"{session.SiteName} has {instances.Count} instance(s)." : $"Asking {instances.Count} instance(s) of {session.SiteName}.");
            }

            // Every list and every detail is asked for at once; the request limiter decides what runs when.
            var lookups = new Lookups(kudu, wanted, run);
            List<Task<List<Task<KuduProcessDetail?>>>> listings = instances.Select(instance => lookups.ListAsync(instance, instances.Count > 1)).ToList();
            foreach (Task<List<Task<KuduProcessDetail?>>> listing in listings)
            {
                foreach (Task<KuduProcessDetail?> lookup in await listing.ConfigureAwait(false))
                {
                    KuduProcessDetail? detail = await lookup.ConfigureAwait(false);
                    if (detail != null)
                    {
                        await DumpAsync(run, detail).ConfigureAwait(false);
                    }
                }
            }

            summary.DefaultWorkerName = kudu.Contract.DefaultWorkerName;
            return summary;
        }

        /// <summary>
        /// A named instance's id. One that cannot be found (recycled since the alert fired) is one error naming it and
        /// the instances there are (null); the others go on, and no other instance is taken in its place.
        /// </summary>
        private static async Task<string?> ResolveNamedAsync(AppDumpScope run, string value)
        {
            try
            {
                string id = await InstanceResolver.ResolveAsync(run.Session, value, run.Trace, run.CancellationToken).ConfigureAwait(false);
                if (run.Options.InstancesFromAlert)
                {
                    run.Trace.Verbose($"The alert's instance {value} is instance {KuduTarget.ShortId(id)} of {run.Session.SiteName}.");
                }

                return id;
            }
            catch (KuduException ex) when (ex.Kind == KuduErrorKind.InstanceNotResolved || ex.Kind == KuduErrorKind.InstanceAmbiguous)
            {
                Interlocked.Increment(ref run.Summary.Failed);
                run.Observer.Failed(value, ex);
                return null;
            }
        }

        private static Task DumpAsync(AppDumpScope run, KuduProcessDetail detail)
        {
            if (detail.IsScmSite && !run.Options.IncludeScmSite)
            {
                Interlocked.Increment(ref run.Summary.Skipped);
                run.Observer.Skipped(detail, DumpCandidate.ScmSiteReason, AdviceKey.IncludeScmSiteToDump);
                return Task.CompletedTask;
            }

            return DumpOneAsync(run, detail);
        }

        /// <summary>One process of the run (or of a watch's firing): asked first, dumped, counted; a failure costs it alone.</summary>
        internal static async Task DumpOneAsync(AppDumpScope run, KuduProcessDetail process)
        {
            if (!run.Observer.ShouldDump(process))
            {
                Interlocked.Increment(ref run.Summary.Skipped);
                return;
            }

            var request = new DumpRequest
            {
                Target = KuduTarget.Of(run.Session, process.Instance, process.Id, process.Name),
                Kind = run.Options.Kind,
                Zip = run.Options.Zip,
                Compress = run.Options.Compress,
                Limiter = run.Options.Limiter,
            };

            try
            {
                run.Observer.Dumped(await DumpTransfer.RunAsync(request, run.Sink, run.Observer.Progress, run.Trace, new DumpTransferOptions(), run.CancellationToken).ConfigureAwait(false));
                Interlocked.Increment(ref run.Summary.Dumped);
            }
            catch (Exception ex) when (ex is KuduException || ex is DumpDestinationException)
            {
                Interlocked.Increment(ref run.Summary.Failed);
                run.Observer.Failed(process, ex);
            }
        }

        /// <summary>
        /// Lists an instance and starts the details of its matching processes at once, in list order (null for a lookup
        /// that failed). Each failure is reported once, where it happens.
        /// </summary>
        private sealed class Lookups
        {
            private readonly KuduClient _kudu;
            private readonly Func<string, bool> _wanted;
            private readonly AppDumpScope _run;

            public Lookups(KuduClient kudu, Func<string, bool> wanted, AppDumpScope run)
            {
                _kudu = kudu;
                _wanted = wanted;
                _run = run;
            }

            public async Task<List<Task<KuduProcessDetail?>>> ListAsync(string? instance, bool severalInstances)
            {
                List<KuduProcess> processes;
                try
                {
                    processes = await _kudu.ListProcessesAsync(instance, _run.Trace, _run.CancellationToken).ConfigureAwait(false);
                }
                catch (KuduException ex) when (severalInstances)
                {
                    // One instance recycling must not cost the dumps of the others.
                    Interlocked.Increment(ref _run.Summary.Failed);
                    _run.Observer.Failed(instance!, ex);
                    return new List<Task<KuduProcessDetail?>>();
                }

                List<Task<KuduProcessDetail?>> matching = processes.Where(p => _wanted(p.Name)).Select(DetailAsync).ToList();
                Interlocked.Add(ref _run.Summary.Candidates, matching.Count);
                _run.Trace.Verbose($"{matching.Count} matching process(es) on {(instance == null ? "the instance the front end picked" : "instance " + KuduTarget.ShortId(instance))}; reading their details.");
                return matching;
            }

            private async Task<KuduProcessDetail?> DetailAsync(KuduProcess process)
            {
                try
                {
                    return await _kudu.GetProcessAsync(process.Instance, process.Id, process.Name, includeEnvironment: false, _run.Trace, _run.CancellationToken).ConfigureAwait(false);
                }
                catch (KuduException ex)
                {
                    // Any lookup that fails (gone, recycled, a 503 that outlasted the retries) costs that process only.
                    Interlocked.Increment(ref _run.Summary.Failed);
                    _run.Observer.Failed(process, ex);
                    return null;
                }
            }
        }
    }
}
