using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Dumps;
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
    public sealed class InvokeFunctionAppDumpCommand : KuduCmdlet
    {
        private const string SessionSet = "Session";
        private const string ResourceIdSet = "ResourceId";
        private const string NameSet = "Name";
        private const string PublishSettingsSet = "PublishSettings";
        private const string WebhookSet = "WebhookData";

        private readonly DumpProgressView _progress = new DumpProgressView();
        private OrderedWorkQueue<AppDumpSummary>? _queue;
        private DumpDestinations? _destinations;
        private DumpKind? _kind;
        private WildcardPattern[]? _names;

        [Parameter(ParameterSetName = SessionSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The site's resource id; binds from the Id of Get-AzWebApp and Get-AzFunctionApp objects.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ResourceIdSet, ValueFromPipelineByPropertyName = true)]
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

        /// <summary>Names of the processes to dump; wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProcessNameCompleter))]
        public string[] ProcessName { get; set; } = { "w3wp" };

        /// <summary>Every instance of the site (the list comes from Resource Manager).</summary>
        [Parameter]
        public SwitchParameter AllInstances { get; set; }

        /// <summary>Instance ids (ARRAffinity values) to dump, instead of every instance.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Instance { get; set; }

        /// <summary>Also dumps the SCM (Kudu) site's own w3wp, skipped by default.</summary>
        [Parameter]
        public SwitchParameter IncludeScmSite { get; set; }

        [Parameter]
        [ValidateSet("Mini", "Heap", "Full")]
        public DumpType DumpType { get; set; } = DumpType.Mini;

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? DumpTypeMask { get; set; }

        [Parameter]
        [ValidateSet("Raw", "Zip")]
        public string Format { get; set; } = "Raw";

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

        /// <summary>How many sites run at once, and how many lookups run at once within a site.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        internal override void Begin()
        {
            _kind = DumpParameters.Kind(this, DumpType, DumpTypeMask);
            int destinations = (Path != null ? 1 : 0) + (BlobContainerUri != null ? 1 : 0) + (ConnectionString != null ? 1 : 0);
            if (destinations > 1 || (Container != null) != (ConnectionString != null))
            {
                ThrowTerminatingError(KuduErrors.Record(
                    new ArgumentException("Give one destination: -Path, -BlobContainerUri, or -ConnectionString with -Container."),
                    "DumpDestinationConflict", ErrorCategory.InvalidArgument, null));
            }

            if (ParameterSetName == NameSet && (Credential != null ? 1 : 0) + (AccessToken != null ? 1 : 0) + (UseAzureIdentity.IsPresent ? 1 : 0) != 1)
            {
                ThrowTerminatingError(KuduErrors.Record(
                    new ArgumentException("With -Name, give one way to sign in: -Credential, -AccessToken or -UseAzureIdentity."),
                    "KuduAuthenticationMissing", ErrorCategory.InvalidArgument, Name));
            }

            _names = ProcessName.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            _destinations = DumpParameters.Destinations(this, Path, new BlobDestination
            {
                ContainerUri = BlobContainerUri,
                ConnectionString = ConnectionString,
                Container = Container,
                Prefix = BlobPrefix,
                CreateContainer = CreateContainer.IsPresent,
                Force = Force.IsPresent,
            });

            _queue = NewWorkQueue<AppDumpSummary>(ThrottleLimit);
        }

        internal override void Process()
        {
            switch (ParameterSetName)
            {
                case SessionSet:
                    KuduSession? session = ResolveSession(Session);
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
                    StartSite(null, new KuduSessionOptions
                    {
                        SiteName = Name,
                        Slot = Slot,
                        PublishSettingsPath = PublishSettingsPath == null ? null : GetUnresolvedProviderPathFromPSPath(PublishSettingsPath),
                        Credential = Credential?.GetNetworkCredential(),
                        AccessToken = AccessToken == null ? null : new NetworkCredential(string.Empty, AccessToken).Password,
                        UseAzureIdentity = UseAzureIdentity.IsPresent,
                        ManagedIdentityClientId = ManagedIdentityClientId,
                        Environment = Environment,
                        AllowUnencryptedAuthentication = AllowUnencryptedAuthentication.IsPresent,
                    }, (object?)Name ?? PublishSettingsPath!);
                    break;
            }
        }

        internal override void End() => _queue!.Finish(Summarise, WriteFailure);

        private KuduSessionOptions IdentityOptions(string resourceId) => new KuduSessionOptions
        {
            ResourceId = resourceId,
            UseAzureIdentity = true,
            ManagedIdentityClientId = ManagedIdentityClientId,
            Environment = Environment,
            ResourceManagerUrl = ResourceManagerUrl,
            AllowUnencryptedAuthentication = AllowUnencryptedAuthentication.IsPresent,
        };

        /// <summary>Reads the alert; a resolved alert, or one with no site among its targets, dumps nothing.</summary>
        private void StartAlert()
        {
            CommonAlert alert;
            try
            {
                alert = CommonAlert.Parse(WebhookBody(WebhookData!));
            }
            catch (FormatException ex)
            {
                WriteError(KuduErrors.Record(ex, "KuduWebhookInvalid", ErrorCategory.InvalidData, "WebhookData"));
                return;
            }

            string rule = alert.AlertRule ?? "(unnamed rule)";
            if (!alert.IsFired)
            {
                WriteWarning($"Alert '{rule}' is {alert.MonitorCondition}, not Fired: nothing to dump.");
                return;
            }

            foreach (string other in alert.OtherTargets)
            {
                WriteWarning($"Alert '{rule}' targets {other}, which is not an App Service or Functions site; it is left alone.");
            }

            if (alert.SiteIds.Count == 0)
            {
                WriteWarning($"Alert '{rule}' targets no App Service or Functions site: nothing to dump.");
                return;
            }

            WriteVerbose($"Alert '{rule}' fired for {alert.SiteIds.Count} site(s).");
            foreach (string siteId in alert.SiteIds)
            {
                StartSite(null, IdentityOptions(siteId), siteId);
            }
        }

        /// <summary>Automation passes an object with RequestBody; a test pane or a caller may pass the JSON itself.</summary>
        private static string WebhookBody(object webhookData)
        {
            object data = webhookData is PSObject pso ? pso.BaseObject : webhookData;
            object? body = data switch
            {
                string text => CommonAlert.UnwrapWebhookData(text),
                IDictionary dictionary => dictionary["RequestBody"],
                _ => PSObject.AsPSObject(webhookData).Properties["RequestBody"]?.Value,
            };

            if (body is PSObject wrapped)
            {
                body = wrapped.BaseObject;
            }

            return body as string ?? throw new FormatException("-WebhookData has no RequestBody: pass the $WebhookData the runbook was started with.");
        }

        private void StartSite(KuduSession? given, KuduSessionOptions? options, object target)
        {
            var observer = new Observer(this);
            var appOptions = new AppDumpOptions
            {
                ProcessName = name => _names!.Any(p => p.IsMatch(name)),
                AllInstances = AllInstances.IsPresent,
                Instances = Instance,
                IncludeScmSite = IncludeScmSite.IsPresent,
                Kind = _kind!,
                Zip = string.Equals(Format, "Zip", StringComparison.OrdinalIgnoreCase),
                LookupConcurrency = ThrottleLimit,
            };

            _queue!.Start(
                async ct =>
                {
                    KuduSession session = given ?? await KuduSessionFactory.CreateAsync(options!, Trace, ct).ConfigureAwait(false);
                    try
                    {
                        IDumpSink sink = _destinations!.For(session);
                        AppDumpSummary summary = await AppDumpRun.RunAsync(session, sink, appOptions, observer, Trace, ct).ConfigureAwait(false);
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
                WriteWarning($"{target}: no process named {string.Join(", ", ProcessName)} was found{(AllInstances.IsPresent ? " on any instance" : " (add -AllInstances to look at every instance)")}.");
            }
        }

        /// <summary>Brings the run's events to the pipeline thread; ShouldProcess waits for the answer there.</summary>
        private sealed class Observer : IAppDumpObserver
        {
            private readonly InvokeFunctionAppDumpCommand _cmdlet;

            public Observer(InvokeFunctionAppDumpCommand cmdlet) => _cmdlet = cmdlet;

            public bool ShouldDump(KuduProcessDetail p)
            {
                string what = $"{p.Name} ({p.Id}) on {Describe(p.Session, p.Instance)}";
                string action = DumpParameters.Action(_cmdlet._kind!);
                return _cmdlet.Bridge.Invoke(() => _cmdlet.ShouldProcess(what, action), _cmdlet.CancellationToken);
            }

            public void Dumped(KuduDumpResult result) => _cmdlet.Bridge.Post(() => _cmdlet.WriteObject(result));

            public void Skipped(KuduProcessDetail p, string reason) =>
                _cmdlet.Bridge.Post(() => _cmdlet.WriteWarning($"Skipped {p.Name} ({p.Id}) on {Describe(p.Session, p.Instance)}: {reason}."));

            public void Failed(object target, Exception error)
            {
                string what = target switch
                {
                    KuduProcessDetail d => $"{d.Name} ({d.Id}) on {Describe(d.Session, d.Instance)}",
                    KuduProcess p => $"{p.Name} ({p.Id}) on {Describe(p.Session, p.Instance)}",
                    _ => $"instance {target}",
                };
                int? activity = target switch
                {
                    KuduProcessDetail d => _cmdlet._progress.ActivityOf(d.Session?.SiteName ?? string.Empty, d.Instance, d.Id),
                    _ => null,
                };
                _cmdlet.Bridge.Post(() =>
                {
                    if (activity is int id)
                    {
                        _cmdlet.WriteProgress(DumpProgressView.Completed(id, $"Dump of {what}"));
                    }

                    _cmdlet.WriteWarning($"Could not dump {what}: {error.Message}");
                    _cmdlet.WriteFailure(error, target);
                });
            }

            public void Progress(DumpProgress p)
            {
                ProgressRecord record = DumpProgressView.Record(_cmdlet._progress.ActivityOf(p.Site, p.Instance, p.ProcessId), p);
                _cmdlet.Bridge.Post(() => _cmdlet.WriteProgress(record));
            }

            private static string Describe(KuduSession? session, string? instance) =>
                instance == null ? session?.SiteName ?? "the site" : $"{session?.SiteName} instance {Kudu.KuduClient.Short(instance)}";
        }
    }
}
