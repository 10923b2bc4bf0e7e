using System;
using System.Management.Automation;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Records a CPU profile of processes with Kudu's profiler (the Process Explorer's "Start Profiling") for a given
    /// time, then stores the .diagsession where dumps go: a folder or a blob container, same names and rules.
    /// Several piped processes are profiled at the same time. Ctrl+C or a failure stops the profiler on the server.
    /// </summary>
    [Cmdlet(VerbsData.Save, "KuduProcessProfile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(KuduProfileResult))]
    public sealed class SaveKuduProcessProfileCommand : KuduCmdlet
    {
        private const string PathSet = "Path";
        private const string BlobUriSet = "BlobContainerUri";
        private const string ConnectionStringSet = "ConnectionString";
        private OrderedWorkQueue<KuduProfileResult>? _queue;
        private DumpDestinations? _destinations;

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

        /// <summary>The process name, for messages; Kudu's answer carries its own.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ProcessName")]
        public string? Name { get; set; }

        /// <summary>How long to record: 60 seconds by default, at most 15 minutes (Kudu ends a profile by itself then).</summary>
        [Parameter]
        public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>An IIS profile: the request pipeline too (Kudu limits it to the site's IIS profiling timeout, 3 minutes by default).</summary>
        [Parameter]
        public SwitchParameter IisProfiling { get; set; }

        /// <summary>The folder for the profiles (a date folder is made under it); the current location by default.</summary>
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

        /// <summary>Overwrites an existing profile of the same name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        internal override void Begin()
        {
            if (Duration <= TimeSpan.Zero || Duration > ProfileRecording.KuduLimit)
            {
                ThrowTerminatingError(KuduErrors.Record(
                    new ArgumentOutOfRangeException(nameof(Duration), Duration, $"-Duration must be more than 0 and at most {ProfileRecording.KuduLimit.TotalMinutes:N0} minutes: Kudu ends a profile by itself {ProfileRecording.KuduLimit.TotalMinutes:N0} minutes after its start."),
                    "ProfileDurationInvalid", ErrorCategory.InvalidArgument, Duration));
            }

            _destinations = DumpParameters.Destinations(this, Path, new BlobDestination
            {
                ContainerUri = BlobContainerUri,
                ConnectionString = ConnectionString,
                Container = Container,
                Prefix = BlobPrefix,
                CreateContainer = CreateContainer.IsPresent,
                Force = Force.IsPresent,
            });
            _queue = NewWorkQueue<KuduProfileResult>();
        }

        internal override void Process()
        {
            KuduSession? session = ResolveSession(Session);
            if (session == null || !TryResolveInstance(session, Instance, out string? instance))
            {
                return;
            }

            var item = new ProfileItem { Target = KuduTarget.Of(session, instance, Id, Name), ActivityId = DumpProgressView.NewActivityId() };
            string kind = IisProfiling.IsPresent ? "an IIS CPU profile" : "a CPU profile";
            if (!ShouldProcess(item.Target.Display, $"Record {kind} for {Duration.TotalSeconds:N0} s (Kudu's profiler attaches to the process and slows it a little)"))
            {
                return;
            }

            IDumpSink sink;
            try
            {
                sink = _destinations!.For(session);
            }
            catch (DumpDestinationException ex)
            {
                WriteFailure(ex, item.Target);
                return;
            }

            var request = new ProfileRequest { Target = item.Target, Duration = Duration, IisProfiling = IisProfiling.IsPresent };
            // The stop after Ctrl+C must fit in the few seconds the command waits for its work to clean up.
            var options = new ProfileOptions { CleanupTimeout = TimeSpan.FromSeconds(8) };
            _queue!.Start(ct => ProfileRecording.RunAsync(request, sink, p => ReportProgress(item, p), Trace, options, ct), item);
            _queue.FlushCompleted(Emit, Fail);
        }

        internal override void End() => _queue!.Finish(Emit, Fail);

        private void Emit(KuduProfileResult result, object target)
        {
            CompleteProgress((ProfileItem)target);
            WriteObject(result);
        }

        private void Fail(Exception error, object target)
        {
            var item = (ProfileItem)target;
            CompleteProgress(item);
            WriteFailure(error, item.Target);
        }

        private void CompleteProgress(ProfileItem item) =>
            WriteProgress(DumpProgressView.Completed(item.ActivityId, $"Profile of {item.Target.Display}"));

        private void ReportProgress(ProfileItem item, ProfileProgress progress)
        {
            ProgressRecord record = ProfileProgressView.Record(item.ActivityId, progress);
            Bridge.Post(() => WriteProgress(record));
        }

        private sealed class ProfileItem
        {
            public KuduTarget Target { get; set; } = null!;
            public int ActivityId { get; set; }
        }
    }
}
