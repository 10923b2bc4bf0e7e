using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Dumps
{
    /// <summary>Which process to dump, and how.</summary>
    internal sealed class DumpRequest
    {
        public KuduSession Session { get; set; } = null!;
        public string? Instance { get; set; }
        public int ProcessId { get; set; }

        /// <summary>Known from the pipeline (Get-KuduProcess); looked up when null.</summary>
        public string? ProcessName { get; set; }

        public DumpKind Kind { get; set; } = null!;
        public bool Zip { get; set; }
    }

    internal sealed class DumpTransferOptions
    {
        /// <summary>A transfer with no byte for this long is abandoned (the connection is presumed dead).</summary>
        public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>How often progress is reported (and the stall watchdog looks).</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);
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
        public string Site { get; set; } = string.Empty;
        public string? Instance { get; set; }
        public int ProcessId { get; set; }
        public string ProcessName { get; set; } = string.Empty;
        public string DumpLabel { get; set; } = string.Empty;
        public TimeSpan Elapsed { get; set; }
        public long BytesTransferred { get; set; }
        public long? TotalBytes { get; set; }
        public double BytesPerSecond { get; set; }
    }

    /// <summary>
    /// Takes one dump: waits for the site's turn, asks Kudu, streams the body into a sink in fixed-size blocks,
    /// checks length and signature, and only then makes it visible. On any failure nothing is left behind.
    /// Never retried: each attempt freezes the process again.
    /// </summary>
    internal static class DumpTransfer
    {
        private static readonly byte[] MinidumpSignature = { 0x4D, 0x44, 0x4D, 0x50 }; // "MDMP"
        private static readonly byte[] ZipSignature = { 0x50, 0x4B, 0x03, 0x04 };     // "PK\3\4"

        public static async Task<KuduDumpResult> RunAsync(DumpRequest request, IDumpSink sink, Action<DumpProgress> progress, IKuduTrace trace, DumpTransferOptions options, CancellationToken cancellationToken)
        {
            KuduSession session = request.Session;
            KuduClient kudu = session.Kudu();
            var snapshot = new DumpProgress
            {
                Site = session.SiteName,
                Instance = request.Instance,
                ProcessId = request.ProcessId,
                ProcessName = request.ProcessName ?? string.Empty,
                DumpLabel = request.Kind.Label,
            };

            if (string.IsNullOrEmpty(request.ProcessName))
            {
                // Also fails fast, before the site's turn, when the process has already exited.
                KuduProcessDetail detail = await kudu.GetProcessAsync(request.Instance, request.ProcessId, includeEnvironment: false, trace, cancellationToken).ConfigureAwait(false);
                snapshot.ProcessName = detail.Name;
                snapshot.Instance ??= detail.Instance;
            }

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
                SiteName = session.SiteName,
                Slot = session.Slot,
                Instance = snapshot.Instance,
                ProcessId = request.ProcessId,
                ProcessName = snapshot.ProcessName,
                Kind = request.Kind,
                Zip = request.Zip,
                CaptureTimeUtc = DateTime.UtcNow,
            };

            using IDumpTarget target = await sink.PrepareAsync(descriptor, trace, cancellationToken).ConfigureAwait(false);
            using var transferCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var clock = Stopwatch.StartNew();
            DumpBodyStream? body = null;
            bool stalled = false;
            long progressMark = -1;
            TimeSpan progressAt = TimeSpan.Zero;
            TimeSpan serverWriteTime = TimeSpan.Zero;

            // One timer reports progress in both phases and watches for a stalled transfer.
            using var ticker = new ProgressTicker(options.ProgressInterval, () =>
            {
                DumpBodyStream? current = Volatile.Read(ref body);
                snapshot.Elapsed = clock.Elapsed;
                if (current != null)
                {
                    TimeSpan transferTime = clock.Elapsed - serverWriteTime;
                    snapshot.BytesTransferred = target.BytesStored ?? current.BytesRead;
                    snapshot.BytesPerSecond = transferTime.TotalSeconds > 0 ? snapshot.BytesTransferred / transferTime.TotalSeconds : 0;

                    // Stalled = neither Kudu sent nor the destination stored anything for a while.
                    long mark = current.BytesRead + (target.BytesStored ?? 0);
                    if (mark != progressMark)
                    {
                        progressMark = mark;
                        progressAt = clock.Elapsed;
                    }
                    else if (clock.Elapsed - progressAt > options.StallTimeout)
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
                trace.Verbose($"Asking {session.ScmUri.Authority} for a {request.Kind.Label} dump (dumpType={request.Kind.Mask}) of {snapshot.ProcessName} ({request.ProcessId}); the process is frozen while Kudu writes it.");
                using KuduDumpResponse response = await kudu.OpenDumpAsync(snapshot.Instance, request.ProcessId, request.Kind.Mask, request.Zip, trace, transferCancellation.Token).ConfigureAwait(false);
                serverWriteTime = clock.Elapsed;
                trace.Verbose($"Kudu wrote the dump in {serverWriteTime.TotalSeconds:N1} s; receiving {(response.ContentLength is long n ? n.ToString("N0") + " bytes" : "a chunked body")} into {target.Display}.");

                snapshot.TotalBytes = response.ContentLength;
                snapshot.Phase = DumpPhase.Transferring;
                var stream = new DumpBodyStream(response.Body, response.ContentLength, session.ScmUri.Authority);
                Volatile.Write(ref body, stream);
                await target.WriteAsync(stream, transferCancellation.Token).ConfigureAwait(false);

                long length = stream.BytesRead;
                if (response.ContentLength is long expected && length != expected)
                {
                    throw new KuduException(KuduErrorKind.DumpIncomplete,
                        $"Received {length:N0} of the {expected:N0} bytes Kudu announced; the dump was discarded.");
                }

                bool signatureValid = CheckSignature(stream, request.Zip, target.Display, trace);
                await target.CommitAsync(cancellationToken).ConfigureAwait(false);
                TimeSpan duration = clock.Elapsed;
                TimeSpan transfer = duration - serverWriteTime;

                ticker.Stop();
                snapshot.Phase = DumpPhase.Completed;
                snapshot.BytesTransferred = length;
                snapshot.Elapsed = duration;
                progress(snapshot);

                return new KuduDumpResult
                {
                    SiteName = session.SiteName,
                    Slot = session.Slot,
                    Instance = response.Instance ?? snapshot.Instance,
                    ProcessId = request.ProcessId,
                    ProcessName = snapshot.ProcessName,
                    DumpType = request.Kind.Type,
                    DumpTypeMask = request.Kind.Mask,
                    Format = request.Zip ? "zip" : "raw",
                    Path = target.FilePath,
                    BlobUri = target.BlobUri,
                    BlobName = target.BlobName,
                    Length = length,
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
                target.Abort();
                throw new KuduException(KuduErrorKind.DumpStalled,
                    $"No byte of the dump arrived for {options.StallTimeout.TotalSeconds:N0} s after {body?.BytesRead ?? 0:N0} bytes; the connection to {session.ScmUri.Authority} is presumed dead and the partial dump was discarded.",
                    inner: ex);
            }
            catch
            {
                ticker.Stop();
                target.Abort();
                throw;
            }
        }

        /// <summary>Warns (does not fail) when the first bytes are not a minidump's or a zip's: the data may still matter.</summary>
        private static bool CheckSignature(DumpBodyStream stream, bool zip, string display, IKuduTrace trace)
        {
            byte[] expected = zip ? ZipSignature : MinidumpSignature;
            bool valid = stream.HeadLength == expected.Length;
            for (int i = 0; valid && i < expected.Length; i++)
            {
                valid = stream.Head[i] == expected[i];
            }

            if (!valid)
            {
                trace.Warning($"{display} does not start with the {(zip ? "zip (PK)" : "minidump (MDMP)")} signature: it may be an error page or a broken dump. Kept for inspection.");
            }
            else if (!zip && stream.BytesRead < 16 * 1024)
            {
                trace.Warning($"{display} is only {stream.BytesRead:N0} bytes: a dump that small usually means Kudu could not read the process (for example a 32/64-bit mismatch).");
            }

            return valid;
        }
    }

    /// <summary>Calls back on a timer until stopped; after Stop returns, no callback runs or will run.</summary>
    internal sealed class ProgressTicker : IDisposable
    {
        private readonly object _lock = new object();
        private readonly Action _tick;
        private readonly Timer _timer;
        private bool _stopped;

        public ProgressTicker(TimeSpan interval, Action tick)
        {
            _tick = tick;
            _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, interval);
        }

        public void Stop()
        {
            lock (_lock)
            {
                _stopped = true;
            }

            _timer.Dispose();
        }

        public void Dispose() => Stop();

        private void Tick()
        {
            lock (_lock)
            {
                if (!_stopped)
                {
                    _tick();
                }
            }
        }
    }
}
