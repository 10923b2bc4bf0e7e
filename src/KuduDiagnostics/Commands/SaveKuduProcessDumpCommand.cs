using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Saves memory dumps of processes to disk, streamed straight from Kudu. Dumps of one site run one at a time
    /// (Kudu writes each to the same file); different sites run in parallel up to -OverallThrottleLimit.
    /// </summary>
    [Cmdlet(VerbsData.Save, "KuduProcessDump", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(KuduDumpResult))]
    public sealed class SaveKuduProcessDumpCommand : ThrottledKuduCmdlet
    {
        /// <summary>
        /// Requests in flight in all unless -OverallThrottleLimit says otherwise: a site's dumps take turns, so this is
        /// how many sites dump at once, each a stream of up to gigabytes to one disk or storage account.
        /// </summary>
        internal const int DefaultOverallThrottleLimit = 4;

        private const string PathSet = "Path";
        private const string BlobUriSet = "BlobContainerUri";
        private const string ConnectionStringSet = "ConnectionString";
        private OrderedWorkQueue<KuduDumpResult?>? _queue;
        private DumpDestinations? _destinations;
        private DumpKind? _kind;
        private RequestLimiter? _limiter;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public KuduSession? Session { get; set; }

        /// <summary>The instance that runs the process (from Get-KuduProcess), or a unique start of its id; without it, the session's instance.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(InstanceCompleter))]
        public string? Instance { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessId")]
        [ArgumentCompleter(typeof(ProcessIdCompleter))]
        public int Id { get; set; }

        /// <summary>The piped object itself, only to refuse processes of this computer (Get-Process) clearly.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Also dumps the SCM (Kudu) site's own worker, skipped by default: it serves the dumps, and a dump freezes it.</summary>
        [Parameter]
        public SwitchParameter IncludeScmSite { get; set; }

        /// <summary>The process name, for the file name; looked up when not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessName")]
        [ArgumentCompleter(typeof(ProcessNameCompleter))]
        public string? Name { get; set; }

        /// <summary>Mini (default), Heap (managed heap for SOS), Full (all memory) or Triage (Linux only).</summary>
        [Parameter]
        [ValidateSet("Mini", "Heap", "Full", "Triage")]
        [DumpTypeName]
        public DumpType DumpType { get; set; } = DumpType.Mini;

        /// <summary>A raw MINIDUMP_TYPE mask instead of -DumpType, e.g. 0x41A25.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? DumpTypeMask { get; set; }

        /// <summary>Raw: the .dmp itself. Zip: Kudu's zip with the dump, sos.dll and mscordacwks.dll.</summary>
        [Parameter]
        [ValidateSet("Raw", "Zip")]
        public string Format { get; set; } = "Raw";

        /// <summary>Asks Kudu for its zip and unpacks it as it arrives: a plain dump, with sos.dll and mscordacwks.dll in &lt;dump&gt;.dac beside it.</summary>
        [Parameter]
        public SwitchParameter Compress { get; set; }

        /// <summary>The folder for the dumps (a date folder is made under it); the current location by default.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>A blob container URI: with a SAS (create and write permissions), or without one for an Azure identity session.</summary>
        [Parameter(Mandatory = true, ParameterSetName = BlobUriSet)]
        [ValidateNotNull]
        public Uri? BlobContainerUri { get; set; }

        /// <summary>A storage account connection string (with -Container).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ConnectionStringSet)]
        [ValidateNotNullOrEmpty]
        public string? ConnectionString { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ConnectionStringSet)]
        [ValidateNotNullOrEmpty]
        [Alias("ContainerName")]
        public string? Container { get; set; }

        /// <summary>A folder-like prefix for the blob names, before the date.</summary>
        [Parameter(ParameterSetName = BlobUriSet)]
        [Parameter(ParameterSetName = ConnectionStringSet)]
        public string? BlobPrefix { get; set; }

        /// <summary>Creates the container (private) when it does not exist.</summary>
        [Parameter(ParameterSetName = BlobUriSet)]
        [Parameter(ParameterSetName = ConnectionStringSet)]
        public SwitchParameter CreateContainer { get; set; }

        /// <summary>Overwrites an existing dump of the same name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        public SaveKuduProcessDumpCommand()
        {
            OverallThrottleLimit = DefaultOverallThrottleLimit;
        }

        internal override void Begin()
        {
            _kind = DumpParameters.Kind(this, DumpType, DumpTypeMask);
            DumpParameters.CheckCompress(this, Format, Compress.IsPresent);
            _destinations = DumpParameters.Destinations(this, Path, new BlobDestination
            {
                ContainerUri = BlobContainerUri,
                ConnectionString = ConnectionString,
                Container = Container,
                Prefix = BlobPrefix,
                CreateContainer = CreateContainer.IsPresent,
                Force = Force.IsPresent,
            });
            _queue = NewWorkQueue<KuduDumpResult?>();
            _limiter = NewLimiter();
        }

        internal override void Process()
        {
            if (InputObject?.BaseObject is System.Diagnostics.Process local)
            {
                WriteError(KuduErrors.Record(
                    new ArgumentException($"{local.ProcessName} ({local.Id}) is a process of this computer (from Get-Process), not of the App Service. Pipe the app's processes from Get-KuduProcess instead: Get-KuduProcess -Name w3wp | Save-KuduProcessDump."),
                    "KuduLocalProcessNotSupported", ErrorCategory.InvalidArgument, local));
                return;
            }

            KuduSession? session = ResolveSession(Session);
            if (session == null || !TryResolveInstance(session, Instance, out string? instance))
            {
                return;
            }

            DumpKind kind = _kind!;
            var item = new DumpItem { Target = KuduTarget.Of(session, instance, Id, Name), ActivityId = DumpProgressView.NewActivityId() };

            // A piped process that says it is the SCM worker is left out at once, so -WhatIf says the same.
            if (!IncludeScmSite.IsPresent && InputObject?.Properties["IsScmSite"]?.Value is bool isScm && isScm)
            {
                WriteWarning($"Skipped {item.Target.Display}: {Advice.ScmSiteSkipped}.");
                return;
            }

            if (!ShouldProcess(item.Target.Display, DumpParameters.Action(kind)))
            {
                return;
            }

            var request = new DumpRequest
            {
                Target = item.Target,
                Kind = kind,
                Zip = string.Equals(Format, "Zip", StringComparison.OrdinalIgnoreCase),
                Compress = Compress.IsPresent,
                Limiter = _limiter,
            };

            IDumpSink? sink = SinkFor(session, item.Target);
            if (sink == null)
            {
                return;
            }

            bool includeScmSite = IncludeScmSite.IsPresent;
            _queue!.Start(
                async ct =>
                {
                    // Kudu's detail says whether it is the SCM worker, and gives the name and real id of -Id 0 or -1.
                    if (!includeScmSite || request.Target.Name == null || Id <= 0)
                    {
                        DumpCandidate candidate = await DumpCandidate.InspectAsync(request.Target, _limiter, Trace, ct).ConfigureAwait(false);
                        item.Target = request.Target = candidate.Target;
                        if (candidate.IsScmSite && !includeScmSite)
                        {
                            return null;
                        }
                    }

                    return await DumpTransfer.RunAsync(request, sink, p => ReportProgress(item.ActivityId, p), Trace, new DumpTransferOptions(), ct).ConfigureAwait(false);
                },
                item);
            _queue.FlushCompleted(Emit, Fail);
        }

        internal override void End() => _queue!.Finish(Emit, Fail);

        private IDumpSink? SinkFor(KuduSession session, KuduTarget target)
        {
            try
            {
                return _destinations!.For(session);
            }
            catch (DumpDestinationException ex)
            {
                WriteFailure(ex, target);
                return null;
            }
        }

        private void Emit(KuduDumpResult? result, object target)
        {
            CompleteProgress(target);
            if (result == null)
            {
                // Left out, not failed: the other items go on and the error stream stays for real failures.
                WriteWarning($"Skipped {((DumpItem)target).Target.Display}: {Advice.ScmSiteSkipped}.");
                return;
            }

            WriteObject(result);
        }

        private void Fail(Exception error, object target)
        {
            CompleteProgress(target);
            WriteFailure(error, (target as DumpItem)?.Target ?? target);
        }

        private void CompleteProgress(object target)
        {
            if (target is DumpItem item)
            {
                WriteProgress(DumpProgressView.Completed(item.ActivityId, $"Dump of process {item.Target.Id} on {item.Target.Location}"));
            }
        }

        private void ReportProgress(int activityId, DumpProgress progress)
        {
            ProgressRecord record = DumpProgressView.Record(activityId, progress);
            Bridge.Post(() => WriteProgress(record));
        }

        /// <summary>One pipeline item: the process and its progress bar.</summary>
        private sealed class DumpItem
        {
            public KuduTarget Target { get; set; } = null!;
            public int ActivityId { get; set; }
        }
    }
}
