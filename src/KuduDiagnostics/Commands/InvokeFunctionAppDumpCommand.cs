using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The unattended path: for each site, list the processes of its instances, read their details, leave out
    /// the SCM site's worker, and dump the rest one at a time to disk or blob storage. Sites run in parallel.
    /// Made for an Azure Automation runbook started by an Azure Monitor alert's webhook.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "FunctionAppDump", DefaultParameterSetName = SessionSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(KuduDumpResult))]
    public sealed partial class InvokeFunctionAppDumpCommand : WatchingCmdlet, ISessionParameters, IDynamicParameters
    {
        private OrderedWorkQueue<AppDumpSummary>? _queue;
        private DumpDestinations? _destinations;
        private WildcardPattern[]? _names;
        private RequestLimiter? _limiter;

        /// <summary>Names of the processes to dump; wildcards allowed. Default: the platform's worker (w3wp on Windows).</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProcessNameCompleter))]
        public string[]? ProcessName { get; set; }

        /// <summary>Every instance of the site (the list comes from Resource Manager).</summary>
        [Parameter]
        public SwitchParameter AllInstances { get; set; }

        /// <summary>Instances to dump (their ids, any unique start of one, or machine names), instead of the session's instance; wins over the alert's.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string[]? Instance { get; set; }

        /// <summary>Also dumps the SCM (Kudu) site's own w3wp, skipped by default.</summary>
        [Parameter]
        public SwitchParameter IncludeScmSite { get; set; }

        [Parameter]
        [ValidateSet("Mini", "Heap", "Full", "Triage")]
        [DumpTypeName]
        public DumpType DumpType { get; set; } = DumpType.Mini;

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? DumpTypeMask { get; set; }

        [Parameter]
        [ValidateSet("Raw", "Zip")]
        public string Format { get; set; } = "Raw";

        /// <summary>Asks Kudu for its zip and unpacks it as it arrives (see Save-KuduProcessDump -Compress).</summary>
        [Parameter]
        public SwitchParameter Compress { get; set; }

        internal DumpKind? Kind { get; private set; }

        internal override void Begin()
        {
            Kind = DumpParameters.Kind(this, DumpType, DumpTypeMask);
            DumpParameters.CheckCompress(this, Format, Compress.IsPresent);
            _names = ProcessName?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            _destinations = DumpParameters.Destinations(this, Path, new BlobDestination
            {
                ContainerUri = BlobContainerUri,
                ConnectionString = ConnectionString,
                Container = Container,
                Prefix = BlobPrefix,
                CreateContainer = CreateContainer.IsPresent,
                Force = Force.IsPresent,
            });

            BeginWatch();
            _queue = NewWorkQueue<AppDumpSummary>();
            _limiter = NewLimiter();
        }

        internal override void Process()
        {
            // Every set starts with its source's name (the destination, if any, follows).
            if (ParameterSetName.StartsWith(SessionSet, StringComparison.Ordinal))
            {
                KuduSession? session = ResolveSession(Session, SessionParameters.InvokeNeedsASite);
                if (session != null)
                {
                    StartSite(session, null, session.ToString());
                }
            }
            else if (ParameterSetName.StartsWith(WebhookSet, StringComparison.Ordinal))
            {
                StartAlert();
            }
            else if (ParameterSetName.StartsWith(ResourceIdSet, StringComparison.Ordinal))
            {
                StartSite(null, IdentityOptions(ResourceId!), ResourceId!);
            }
            else
            {
                StartSite(null, this.ToOptions(this), (object?)Name ?? PublishSettingsPath!);
            }
        }

        internal override void End() => _queue!.Finish(Summarise, WriteFailure);

        private void StartSite(KuduSession? given, KuduSessionOptions? options, object target, IReadOnlyList<string>? alertInstances = null)
        {
            var observer = new AppDumpObserver(this);
            var appOptions = new AppDumpOptions
            {
                ProcessName = _names == null ? null : name => _names.Any(p => p.IsMatch(name)),
                AllInstances = AllInstances.IsPresent,
                Instances = alertInstances ?? Instance,
                InstancesFromAlert = alertInstances != null,
                IncludeScmSite = IncludeScmSite.IsPresent,
                Kind = Kind!,
                Zip = string.Equals(Format, "Zip", StringComparison.OrdinalIgnoreCase),
                Compress = Compress.IsPresent,
                Limiter = _limiter,
            };

            _queue!.Start(
                async ct =>
                {
                    KuduSession session = given ?? await KuduSessionFactory.CreateAsync(options!, Trace, ct).ConfigureAwait(false);
                    try
                    {
                        IDumpSink sink = _destinations!.For(session);
                        AppDumpSummary summary = await RunSiteAsync(session, sink, appOptions, observer, ct).ConfigureAwait(false);
                        Trace.Verbose($"{session.SiteName}: {summary.Dumped} dumped, {summary.Skipped} skipped, {summary.Failed} failed of {summary.Candidates} matching process(es).");
                        return summary;
                    }
                    finally
                    {
                        if (given == null)
                        {
                            session.Dispose();
                        }
                    }
                },
                target);
            _queue.FlushCompleted(Summarise, WriteFailure);
        }

        private void Summarise(AppDumpSummary summary, object target)
        {
            if (summary.Candidates == 0)
            {
                WriteWarning($"{target}: no process named {string.Join(", ", ProcessName ?? new[] { summary.DefaultWorkerName })} was found{(AllInstances.IsPresent ? " on any instance" : " (add -AllInstances to look at every instance)")}.");
            }
            else if (_watch != null && summary.WatchTimedOut && summary.WatchFirings == 0)
            {
                WriteWarning(WatchParameters.NothingFired(summary.SiteName, _watch, summary.Candidates, summary.WatchedInstances));
            }
        }
    }
}
