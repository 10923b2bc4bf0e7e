using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
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
    public sealed partial class InvokeFunctionAppDumpCommand : WatchTriggerCmdlet, ISessionParameters
    {
        private const string SessionSet = "Session";
        private const string ResourceIdSet = "ResourceId";
        private const string NameSet = "Name";
        private const string PublishSettingsSet = "PublishSettings";
        private const string WebhookSet = "WebhookData";

        private OrderedWorkQueue<AppDumpSummary>? _queue;
        private DumpDestinations? _destinations;
        private WildcardPattern[]? _names;
        private RequestLimiter? _limiter;

        [Parameter(ParameterSetName = SessionSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The site's resource id; binds from the Id of Get-AzWebApp and Get-AzFunctionApp objects.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ResourceIdSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = WebhookSet)]
        [ValidateNotNullOrEmpty]
        [Alias("Id")]
        public string? ResourceId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [Alias("SiteName")]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string? Slot { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PublishSettingsSet)]
        [ValidateNotNullOrEmpty]
        public string? PublishSettingsPath { get; set; }

        /// <summary>The $WebhookData of a runbook started by an Azure Monitor alert (common alert schema).</summary>
        [Parameter(Mandatory = true, ParameterSetName = WebhookSet)]
        [ValidateNotNull]
        public object? WebhookData { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [Credential]
        public PSCredential? Credential { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        public SecureString? AccessToken { get; set; }

        /// <summary>Signs in with Azure.Identity (a managed identity in Automation); implied by -ResourceId and -WebhookData.</summary>
        [Parameter(ParameterSetName = NameSet)]
        [Parameter(ParameterSetName = ResourceIdSet)]
        [Parameter(ParameterSetName = WebhookSet)]
        public SwitchParameter UseAzureIdentity { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [Parameter(ParameterSetName = ResourceIdSet)]
        [Parameter(ParameterSetName = WebhookSet)]
        [ValidateNotNullOrEmpty]
        public string? ManagedIdentityClientId { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [Parameter(ParameterSetName = ResourceIdSet)]
        [Parameter(ParameterSetName = WebhookSet)]
        [ValidateSet("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")]
        public string Environment { get; set; } = "AzureCloud";

        [Parameter(ParameterSetName = ResourceIdSet)]
        [Parameter(ParameterSetName = WebhookSet)]
        [ValidateNotNull]
        public Uri? ResourceManagerUrl { get; set; }

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        /// <summary>The longest any request to the SCM site may take, retries and the whole answer included (dumps excepted).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

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

        /// <summary>A folder for the dumps; the current location when no blob destination is given.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter]
        [ValidateNotNull]
        public Uri? BlobContainerUri { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ConnectionString { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("ContainerName")]
        public string? Container { get; set; }

        [Parameter]
        public string? BlobPrefix { get; set; }

        [Parameter]
        public SwitchParameter CreateContainer { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        string? ISessionParameters.ScmUri => null;

        internal DumpKind? Kind { get; private set; }

        internal override void Begin()
        {
            Kind = DumpParameters.Kind(this, DumpType, DumpTypeMask);
            DumpParameters.CheckCompress(this, Format, Compress.IsPresent);
            if (ParameterSetName == NameSet && (Credential != null ? 1 : 0) + (AccessToken != null ? 1 : 0) + (UseAzureIdentity.IsPresent ? 1 : 0) != 1)
            {
                ThrowTerminatingError(KuduErrors.Record(
                    new ArgumentException("With -Name, give one way to sign in: -Credential, -AccessToken or -UseAzureIdentity."),
                    "KuduAuthenticationMissing", ErrorCategory.InvalidArgument, Name));
            }

            CheckAnalyzeDestination();
            _names = ProcessName?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            _destinations = DumpParameters.OneDestination(this, Path, new BlobDestination
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
            switch (ParameterSetName)
            {
                case SessionSet:
                    KuduSession? session = ResolveSession(Session, SessionParameters.InvokeNeedsASite);
                    if (session != null)
                    {
                        StartSite(session, null, session.ToString());
                    }

                    break;
                case WebhookSet:
                    StartAlert();
                    break;
                case ResourceIdSet:
                    StartSite(null, IdentityOptions(ResourceId!), ResourceId!);
                    break;
                default:
                    StartSite(null, this.ToOptions(this), (object?)Name ?? PublishSettingsPath!);
                    break;
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
