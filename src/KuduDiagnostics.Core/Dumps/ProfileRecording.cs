using System;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using KuduDiagnostics.Timing;

namespace KuduDiagnostics.Dumps
{
    internal sealed class ProfileRequest
    {
        /// <summary>The process: its session, instance and id (its name when known).</summary>
        public KuduTarget Target { get; set; } = null!;

        public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);
        public bool IisProfiling { get; set; }
    }

    internal sealed class ProfileOptions
    {
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>How long the stop sent after a failure or Ctrl+C may take.</summary>
        public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(30);

        public IClock Clock { get; set; } = SystemClock.Instance;
    }

    internal enum ProfilePhase
    {
        Recording,
        Downloading,
        Completed,
    }

    /// <summary>A snapshot of one profile's progress.</summary>
    internal sealed class ProfileProgress
    {
        public ProfilePhase Phase { get; set; }
        public KuduTarget Target { get; set; } = null!;
        public TimeSpan Duration { get; set; }
        public TimeSpan Remaining { get; set; }
        public long BytesTransferred { get; set; }
        public long? TotalBytes { get; set; }
    }

    /// <summary>
    /// Records one CPU profile: checks none runs, reserves the destination, starts Kudu's profiler, waits, stops it
    /// and streams the .diagsession into a dump sink (same naming, .partial, blob rules). Once the start was sent,
    /// every way out that is not the normal stop sends the stop, so no profiler is left attached to the worker.
    /// </summary>
    internal static class ProfileRecording
    {
        /// <summary>Kudu ends a profile nobody stopped after this long; a longer recording would be cut short.</summary>
        public static readonly TimeSpan KuduLimit = TimeSpan.FromMinutes(15);

        /// <summary>A .diagsession is an OPC package, a zip.</summary>
        internal static readonly DumpFormat DiagSession = new DumpFormat
        {
            Name = "diagsession",
            Extension = ".diagsession",
            ContentType = "application/octet-stream",
            Accept = "application/octet-stream",
            Layout = DumpLayout.Zip,
        };

        public static async Task<KuduProfileResult> RunAsync(ProfileRequest request, IDumpSink sink, Action<ProfileProgress> progress, IKuduTrace trace, ProfileOptions options, CancellationToken cancellationToken)
        {
            KuduSession session = request.Target.Session ?? throw new ArgumentException("A profile request needs the process's session.", nameof(request));
            KuduClient kudu = session.Kudu();
            IClock clock = options.Clock;
            KuduProcessDetail detail = await kudu.GetProcessAsync(request.Target.Instance, request.Target.Id ?? 0, request.Target.Name, includeEnvironment: false, trace, cancellationToken).ConfigureAwait(false);
            KuduTarget target = KuduTarget.Of(session, detail.Instance ?? request.Target.Instance, detail.Id, detail.Name);
            CheckCanStart(detail, request, target);

            var descriptor = new DumpDescriptor
            {
                Target = target,
                Kind = DumpKind.Profile(request.IisProfiling),
                Format = DiagSession,
                Platform = detail.Platform,
                MachineName = detail.MachineName,
                CaptureTimeUtc = DumpNaming.UniqueCaptureTime($"{session.ScmUri.Authority}/{target.Instance}/{target.Id}/profile", clock.UtcNow),
            };
            using IDumpTarget destination = await sink.PrepareAsync(descriptor, trace, cancellationToken).ConfigureAwait(false);
            var snapshot = new ProfileProgress { Target = target, Duration = request.Duration, Remaining = request.Duration };
            bool startSent = false;
            bool stopSent = false;
            try
            {
                trace.Verbose($"Starting a {(request.IisProfiling ? "IIS " : string.Empty)}CPU profile of {target.Display} for {request.Duration.TotalSeconds:N0} s.");
                startSent = true;
                try
                {
                    await kudu.StartProfileAsync(target, request.IisProfiling, trace, cancellationToken).ConfigureAwait(false);
                }
                catch (KuduException ex) when (ex.StatusCode != null)
                {
                    startSent = false; // Kudu answered with a refusal: nothing was started
                    throw;
                }

                DateTime startUtc = clock.UtcNow;
                await RecordAsync(request.Duration, snapshot, progress, options, cancellationToken).ConfigureAwait(false);

                stopSent = true;
                DateTime stopUtc = clock.UtcNow;
                using KuduDumpResponse response = await kudu.StopProfileAsync(target, trace, cancellationToken).ConfigureAwait(false);
                var body = new DumpBodyStream(response.Body, response.ContentLength, DiagSession, session.ScmUri.Authority);
                snapshot.Phase = ProfilePhase.Downloading;
                snapshot.TotalBytes = response.ContentLength;
                using (clock.Every(options.ProgressInterval, () =>
                {
                    snapshot.BytesTransferred = destination.BytesStored ?? body.BytesRead;
                    progress(snapshot);
                }))
                {
                    await destination.WriteAsync(body, cancellationToken).ConfigureAwait(false);
                }

                await destination.CommitAsync(cancellationToken).ConfigureAwait(false);
                snapshot.Phase = ProfilePhase.Completed;
                snapshot.BytesTransferred = body.BytesRead;
                progress(snapshot);
                return new KuduProfileResult
                {
                    Session = session,
                    SiteName = target.SiteName,
                    Slot = target.Slot,
                    Instance = response.Instance ?? target.Instance,
                    ProcessId = detail.Id,
                    ProcessName = detail.Name,
                    IisProfiling = request.IisProfiling,
                    StartTimeUtc = startUtc,
                    StopTimeUtc = stopUtc,
                    Path = destination.FilePath,
                    BlobUri = destination.BlobUri,
                    BlobName = destination.BlobName,
                    Length = body.BytesRead,
                    ServerFileName = response.ServerFileName,
                };
            }
            catch (Exception ex)
            {
                destination.Abort();
                if (startSent && !stopSent)
                {
                    await StopQuietlyAsync(kudu, target, trace, options.CleanupTimeout).ConfigureAwait(false);
                }

                (ex as KuduException)?.AttachTarget(target);
                (ex as DumpDestinationException)?.AttachTarget(target);
                throw;
            }
        }

        /// <summary>Kudu answers a start with 200 when a profile already runs, and would hand over that one: refused here instead.</summary>
        private static void CheckCanStart(KuduProcessDetail detail, ProfileRequest request, KuduTarget target)
        {
            if (detail.IsProfileRunning || detail.IsIisProfileRunning)
            {
                var running = new KuduException(KuduErrorKind.ProfileAlreadyRunning,
                    $"A {(detail.IsIisProfileRunning ? "IIS " : string.Empty)}profile is already recording this process (someone started it from the portal's Process Explorer or another script). Kudu would hand this request that one; wait until it is stopped, or until Kudu ends it ({KuduLimit.TotalMinutes:N0} minutes after its start).");
                running.AttachTarget(target);
                throw running;
            }

            if (request.IisProfiling && detail.IisProfileTimeoutInSeconds > 0 && request.Duration.TotalSeconds > detail.IisProfileTimeoutInSeconds)
            {
                var tooLong = new KuduException(KuduErrorKind.BadRequest,
                    $"Kudu ends an IIS profile of this site after {detail.IisProfileTimeoutInSeconds:N0} s (the app setting IIS_PROFILING_TIMEOUT_IN_SECONDS); ask for at most that long.");
                tooLong.AttachTarget(target);
                throw tooLong;
            }
        }

        /// <summary>Waits out the recording, reporting the time left; Ctrl+C ends the wait at once.</summary>
        private static async Task RecordAsync(TimeSpan duration, ProfileProgress snapshot, Action<ProfileProgress> progress, ProfileOptions options, CancellationToken cancellationToken)
        {
            IClock clock = options.Clock;
            TimeSpan started = clock.Now;
            snapshot.Phase = ProfilePhase.Recording;
            using (clock.Every(options.ProgressInterval, () =>
            {
                TimeSpan left = duration - (clock.Now - started);
                snapshot.Remaining = left < TimeSpan.Zero ? TimeSpan.Zero : left;
                progress(snapshot);
            }))
            {
                // Task.Delay can wake a tick early; the monotonic clock decides when the time is up.
                TimeSpan remaining;
                while ((remaining = duration - (clock.Now - started)) > TimeSpan.Zero)
                {
                    await Task.Delay(remaining, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>The stop after a failure or Ctrl+C: its body is the profile nobody will keep, so it is not read.</summary>
        private static async Task StopQuietlyAsync(KuduClient kudu, KuduTarget target, IKuduTrace trace, TimeSpan timeout)
        {
            using var bounded = new CancellationTokenSource(timeout);
            try
            {
                trace.Verbose($"Stopping the profile of {target.Display}, so none is left running; its file is discarded.");
                using KuduDumpResponse discarded = await kudu.StopProfileAsync(target, trace, bounded.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KuduException || ex is OperationCanceledException)
            {
                trace.Warning($"Could not stop the profile of {target.Display} ({ex.Message}). Kudu ends it by itself {KuduLimit.TotalMinutes:N0} minutes after its start.");
            }
        }
    }
}
