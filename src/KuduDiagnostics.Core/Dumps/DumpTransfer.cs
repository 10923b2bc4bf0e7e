using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using KuduDiagnostics.Timing;

namespace KuduDiagnostics.Dumps
{
    /// <summary>Which process to dump, and how.</summary>
    internal sealed class DumpRequest
    {
        /// <summary>The process: its session, instance and id; its name when known from the pipeline (looked up when null).</summary>
        public KuduTarget Target { get; set; } = null!;

        public DumpKind Kind { get; set; } = null!;
        public bool Zip { get; set; }

        /// <summary>Ask for the platform's archive and unpack it as it streams (-Compress); raw where there is none.</summary>
        public bool Compress { get; set; }

        /// <summary>The caller's bound on requests; the session's when null.</summary>
        public RequestLimiter? Limiter { get; set; }
    }

    internal sealed class DumpTransferOptions
    {
        /// <summary>A transfer with no byte for this long is abandoned (the connection is presumed dead).</summary>
        public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>How often progress is reported (and the stall watchdog looks).</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        public IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>
        /// The waits before asking again when Kudu's one dump file is in use (or dotnet-monitor is busy with a dump).
        /// Kudu opens that file before it freezes the process, so the refusal cost nothing; and it closes the file of
        /// the dump before only after that response is disposed, often a moment after its last byte (or its dropped
        /// connection) reached us.
        /// </summary>
        public TimeSpan[] InUseRetryDelays { get; set; } = { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) };
    }

    internal enum DumpPhase
    {
        /// <summary>Another dump of the same site is running; Kudu can write only one at a time.</summary>
        Queued,

        /// <summary>Kudu is writing the dump; the process is frozen and no bytes flow until it is done.</summary>
        WaitingForServer,

        Transferring,
        Completed,
    }

    /// <summary>A snapshot of one dump's progress.</summary>
    internal sealed class DumpProgress
    {
        public DumpPhase Phase { get; set; }

        /// <summary>The process dumped (site, instance, id, name).</summary>
        public KuduTarget Target { get; set; } = null!;

        public string DumpLabel { get; set; } = string.Empty;
        public TimeSpan Elapsed { get; set; }
        public long BytesTransferred { get; set; }

        /// <summary>Bytes received on the wire while a compressed dump is unpacked; null when they are the dump's bytes.</summary>
        public long? WireBytes { get; set; }

        public long? TotalBytes { get; set; }
        public double BytesPerSecond { get; set; }
    }

    /// <summary>
    /// Takes one dump: waits for the site's turn, asks Kudu, streams the body into a sink in fixed-size blocks,
    /// checks length and signature, and only then makes it visible. On any failure nothing is left behind.
    /// Never retried once Kudu has started (each attempt freezes the process again); only its refusal to start
    /// because its dump file is in use, which freezes nothing, is asked again.
    /// </summary>
    internal static class DumpTransfer
    {
        public static async Task<KuduDumpResult> RunAsync(DumpRequest request, IDumpSink sink, Action<DumpProgress> progress, IKuduTrace trace, DumpTransferOptions options, CancellationToken cancellationToken)
        {
            KuduTarget target = request.Target;
            KuduSession session = target.Session ?? throw new ArgumentException("A dump request needs the process's session.", nameof(request));
            KuduClient kudu = session.Kudu(request.Limiter);
            IClock clock = options.Clock;
            if (target.Name == null)
            {
                target = (await DumpCandidate.InspectAsync(target, request.Limiter, trace, cancellationToken).ConfigureAwait(false)).Target;
            }

            // The platform decides the query and the format: a kind it lacks fails here, before the site's turn.
            IKuduContract contract = await kudu.PlatformContractAsync(target.Instance, trace, cancellationToken).ConfigureAwait(false);
            DumpFormat format = contract.DumpFormat(request.Zip && !request.Compress);
            DumpFormat? archive = request.Compress ? contract.CompressedDumpFormat : null;
            if (request.Compress && archive == null)
            {
                trace.Warning($"{target.Display}: KuduLite sends dotnet-monitor's core file as it is (it ignores format=zip): this dump comes uncompressed.");
            }
            int? wireMask = contract.WireMask(request.Kind);
            var snapshot = new DumpProgress { Target = target, DumpLabel = request.Kind.Label };
            using IDisposable turn = await SiteDumpGate.EnterAsync(
                session.DumpGateKey,
                () =>
                {
                    snapshot.Phase = DumpPhase.Queued;
                    progress(snapshot);
                    trace.Verbose($"Waiting for another dump on {session.ScmUri.Authority} to finish: Kudu writes one dump at a time per site.");
                },
                cancellationToken).ConfigureAwait(false);

            var descriptor = new DumpDescriptor
            {
                Target = target,
                Kind = request.Kind,
                Format = format,
                WireMask = wireMask,
                Platform = contract.Platform,
                MachineName = session.MachineNameOf(target.Instance ?? session.PinnedInstance),
                CaptureTimeUtc = DumpNaming.UniqueCaptureTime($"{session.ScmUri.Authority}/{target.Instance}/{target.Id}", clock.UtcNow),
            };

            using IDumpTarget destination = await sink.PrepareAsync(descriptor, trace, cancellationToken).ConfigureAwait(false);
            using var transferCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            TimeSpan started = clock.Now;
            DumpBodyStream? body = null;
            DumpBodyStream? wire = null;
            bool stalled = false;
            var stallWatch = new StallWatch(options.StallTimeout, started);
            TimeSpan serverWriteTime = TimeSpan.Zero;

            // One ticker reports progress in both phases and watches for a stalled transfer.
            using ITicker ticker = clock.Every(options.ProgressInterval, () =>
            {
                DumpBodyStream? current = Volatile.Read(ref body);
                DumpBodyStream? received = Volatile.Read(ref wire);
                TimeSpan elapsed = clock.Now - started;
                snapshot.Elapsed = elapsed;
                if (current != null && received != null)
                {
                    TimeSpan transferTime = elapsed - serverWriteTime;
                    snapshot.BytesTransferred = destination.BytesStored ?? current.BytesRead;
                    snapshot.WireBytes = received == current ? (long?)null : received.BytesRead;
                    snapshot.BytesPerSecond = transferTime.TotalSeconds > 0 ? snapshot.BytesTransferred / transferTime.TotalSeconds : 0;

                    // Stalled = neither Kudu sent nor the destination stored anything for a while.
                    if (stallWatch.IsStalled(received.BytesRead + (destination.BytesStored ?? 0), elapsed))
                    {
                        stalled = true;
                        transferCancellation.Cancel();
                    }
                }

                progress(snapshot);
            });

            try
            {
                snapshot.Phase = DumpPhase.WaitingForServer;
                string mask = wireMask is int m ? $" (dumpType={m})" : string.Empty;
                trace.Verbose($"Asking {session.ScmUri.Authority} for a {request.Kind.Label} dump{mask} of {target.Name} ({target.Id}); the process is frozen while Kudu writes it.");
                (KuduDumpResponse opened, TimeSpan asked) = await OpenWhenFileFreeAsync(kudu, target, request.Kind, archive ?? format, options, trace, transferCancellation.Token).ConfigureAwait(false);
                using KuduDumpResponse response = opened;
                serverWriteTime = clock.Now - asked;
                started = asked; // waits for the dump file are queueing, as the site's turn is: not the dump's time
                trace.Verbose($"Kudu wrote the dump in {serverWriteTime.TotalSeconds:N1} s; receiving {(response.ContentLength is long n ? n.ToString("N0") + " bytes" : "a chunked body")} into {destination.Display}.");

                snapshot.TotalBytes = response.ContentLength;
                snapshot.Phase = DumpPhase.Transferring;
                string host = session.ScmUri.Authority;
                UnzippingDumpBody? unzip = archive == null ? null
                    : new UnzippingDumpBody(response.Body, response.ContentLength, archive, format, host, () => (destination as IDumpExtrasTarget)?.Extras, trace);
                DumpBodyStream stream = unzip?.Dump ?? new DumpBodyStream(response.Body, response.ContentLength, format, host);
                Volatile.Write(ref wire, unzip?.Wire ?? stream);
                Volatile.Write(ref body, stream);
                await destination.WriteAsync(stream, transferCancellation.Token).ConfigureAwait(false);

                long length = stream.BytesRead;
                long wireBytes = wire!.BytesRead;
                bool signatureValid = ReportPlausibility(stream, format, destination.Display, trace);
                await destination.CommitAsync(cancellationToken).ConfigureAwait(false);
                string[] extras = unzip == null ? new string[0] : ((destination as IDumpExtrasTarget)?.Extras.Locations ?? new string[0]).ToArray();
                if (unzip != null)
                {
                    TimeSpan took = clock.Now - started - serverWriteTime;
                    trace.Verbose($"{wireBytes:N0} bytes on the wire unpacked to a {length:N0}-byte dump ({Ratio(length, wireBytes)} : 1) in {took.TotalSeconds:N1} s; {extras.Length} file(s) kept beside it{(unzip.ExtraNames.Count > 0 ? " (" + string.Join(", ", unzip.ExtraNames) + ")" : string.Empty)}.");
                }

                TimeSpan duration = clock.Now - started;
                TimeSpan transfer = duration - serverWriteTime;

                ticker.Stop();
                snapshot.Phase = DumpPhase.Completed;
                snapshot.BytesTransferred = length;
                snapshot.Elapsed = duration;
                progress(snapshot);

                return new KuduDumpResult
                {
                    Session = session,
                    SiteName = target.SiteName,
                    Slot = target.Slot,
                    Instance = response.Instance ?? target.Instance,
                    ProcessId = target.Id ?? 0,
                    ProcessName = target.Name ?? string.Empty,
                    Platform = contract.Platform,
                    MachineName = descriptor.MachineName ?? session.MachineNameOf(response.Instance),
                    DumpType = request.Kind.Type,
                    DumpTypeMask = wireMask ?? 0,
                    Format = format.Name,
                    Path = destination.FilePath,
                    BlobUri = destination.BlobUri,
                    BlobName = destination.BlobName,
                    Length = length,
                    WireBytes = wireBytes,
                    Extras = extras,
                    CaptureTimeUtc = descriptor.CaptureTimeUtc,
                    Duration = duration,
                    ServerWriteTime = serverWriteTime,
                    TransferTime = transfer,
                    ThroughputMBps = transfer.TotalSeconds > 0 ? length / transfer.TotalSeconds / 1_000_000 : 0,
                    ServerFileName = response.ServerFileName,
                    SignatureValid = signatureValid,
                };
            }
            catch (OperationCanceledException ex) when (stalled && !cancellationToken.IsCancellationRequested)
            {
                ticker.Stop();
                destination.Abort();
                throw new KuduException(KuduErrorKind.DumpStalled,
                    $"No byte of the dump arrived for {options.StallTimeout.TotalSeconds:N0} s after {body?.BytesRead ?? 0:N0} bytes; the connection to {session.ScmUri.Authority} is presumed dead and the partial dump was discarded.",
                    inner: ex);
            }
            catch (Exception ex)
            {
                ticker.Stop();
                destination.Abort();
                // Every failure of this dump names the process it was about.
                (ex as KuduException)?.AttachTarget(target);
                (ex as DumpDestinationException)?.AttachTarget(target);
                throw;
            }
        }

        /// <summary>Asks for the dump, and again after each of the options' waits while Kudu says its dump file is in use.</summary>
        private static async Task<(KuduDumpResponse Response, TimeSpan Asked)> OpenWhenFileFreeAsync(
            KuduClient kudu, KuduTarget target, DumpKind kind, DumpFormat format, DumpTransferOptions options, IKuduTrace trace, CancellationToken cancellationToken)
        {
            for (int attempt = 0; ; attempt++)
            {
                TimeSpan asked = options.Clock.Now;
                try
                {
                    return (await kudu.OpenDumpAsync(target, kind, format, trace, cancellationToken).ConfigureAwait(false), asked);
                }
                catch (KuduException ex) when (IsBusyWithADump(ex.Kind) && attempt < options.InUseRetryDelays.Length)
                {
                    TimeSpan wait = options.InUseRetryDelays[attempt];
                    string host = target.Session!.ScmUri.Authority;
                    string busy = ex.Kind == KuduErrorKind.DumpInProgress ? $"{host} has its dump file open" : $"dotnet-monitor on {host} is busy";
                    trace.Verbose($"{target.Display}: {busy} (another dump, or the end of the one before) and refused before freezing the process; asking again in {wait.TotalSeconds:N0} s ({attempt + 1} of {options.InUseRetryDelays.Length}).");
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Refusals that froze nothing: Windows Kudu opens its one dump file before the snapshot, and dotnet-monitor's
        /// one-dump-at-a-time limit answers 429 before the dump starts; each frees a moment after the dump before ends.
        /// </summary>
        private static bool IsBusyWithADump(KuduErrorKind kind) => kind == KuduErrorKind.DumpInProgress || kind == KuduErrorKind.DotnetMonitorBusy;

        private static string Ratio(long length, long wireBytes) =>
            wireBytes > 0 ? ((double)length / wireBytes).ToString("N1", System.Globalization.CultureInfo.InvariantCulture) : "-";

        /// <summary>
        /// The body was a dump of the format and as long as its structure says (DumpBodyStream failed it otherwise);
        /// what is left are words: a dump too small to be useful, or a structure that could not be checked to its end.
        /// </summary>
        private static bool ReportPlausibility(DumpBodyStream stream, DumpFormat format, string display, IKuduTrace trace)
        {
            if (stream.LayoutUnverified is string why)
            {
                trace.Verbose($"{display}: its length could not be checked against its structure ({why}); Content-Length and the signature were.");
            }

            if (stream.BytesRead < format.SmallestPlausibleLength)
            {
                trace.Warning($"{display} is only {stream.BytesRead:N0} bytes: a dump that small usually means Kudu could not read the process (for example a 32/64-bit mismatch).");
            }

            return stream.SignatureValid;
        }
    }
}
