using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using KuduDiagnostics.Timing;

namespace KuduDiagnostics.Watch
{
    /// <summary>What a watch reports as it goes; the cmdlet turns each into PowerShell output on its thread.</summary>
    internal interface IWatchObserver
    {
        /// <summary>A firing, the moment it happens (called from a sampling thread).</summary>
        void Fired(KuduWatchFiring firing);

        /// <summary>The latest view of every watched process, hottest first, after each instance's pass.</summary>
        void Sampled(IReadOnlyList<WatchStatus> hottestFirst);
    }

    /// <summary>How a watch went.</summary>
    internal sealed class WatchSummary
    {
        public int Firings { get; set; }

        /// <summary>Processes watched at some point (a recycled worker counts again).</summary>
        public int Processes { get; set; }

        public bool TimedOut { get; set; }

        public int Instances { get; set; }
    }

    /// <summary>
    /// Watch-KuduProcess and Invoke-FunctionAppDump -Watch: every instance is sampled on its own schedule (a slow
    /// or faulty instance does not hold the others back), all through one request limiter; the samples feed one
    /// <see cref="WatchTracker"/>. Ends at -Count firings, at -Timeout, on cancellation, or on a fault that no
    /// retry can mend (401, 403).
    /// </summary>
    internal static class WatchRun
    {
        public static async Task<WatchSummary> RunAsync(KuduSession session, WatchOptions options, IWatchObserver observer, IKuduTrace trace, CancellationToken cancellationToken)
        {
            if (options.Problem() is KuduArgumentException problem)
            {
                throw problem;
            }

            KuduClient kudu = session.Kudu(options.Limiter);
            // Read when called: the first list tells the platform (w3wp on Windows, dotnet on Linux).
            Func<string, bool> wanted = options.ProcessName ?? (name => string.Equals(name, kudu.Contract.DefaultWorkerName, StringComparison.OrdinalIgnoreCase));
            IReadOnlyList<string?> instances = await InstanceResolver.ExpandAsync(session, options.AllInstances, options.Instances, trace, cancellationToken).ConfigureAwait(false);

            // A twentieth of an interval of slack: network jitter, not a real shortfall of -For.
            var tracker = new WatchTracker(options.Triggers, options.For, options.Cooldown, options.Count, TimeSpan.FromTicks(options.Interval.Ticks / 20));
            var samplers = instances.Select(i => new InstanceSampler(session, kudu, i, wanted, options, trace)).ToList();
            trace.Verbose($"Watching {(options.Ids is { Count: > 0 } ids ? "process " + string.Join(", ", ids) : options.ProcessName == null ? kudu.Contract.DefaultWorkerName : "the named processes")} on {samplers.Count} instance(s) of {session.SiteName} every {options.Interval:c} until {options.Count} firing(s){(options.Timeout is TimeSpan t ? $" or {t:c}" : string.Empty)}: {options.Triggers.Describe(options.For)}. Each interval costs one process list per instance and one process detail per watched process.");

            var end = new WatchEnd();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using ITicker? timeout = options.Timeout is TimeSpan limit ? After(options.Clock, limit, () => end.Stop(stop, timedOut: true)) : null;
            // Instances start spread over one interval: their requests do not queue behind each other at each tick, so
            // every sample of a process is read about as long after its tick as the last one.
            await Task.WhenAll(samplers.Select((s, i) => LoopAsync(s, TimeSpan.FromTicks(options.Interval.Ticks * i / samplers.Count), tracker, observer, options, stop, end, trace))).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            end.Fatal?.Throw();
            if (end.TimedOut)
            {
                trace.Verbose($"The watch of {session.SiteName} timed out after {options.Timeout:c} with {tracker.Fired} of {options.Count} firing(s).");
            }

            return new WatchSummary { Firings = tracker.Fired, Processes = tracker.Seen, TimedOut = end.TimedOut, Instances = samplers.Count };
        }

        private static async Task LoopAsync(InstanceSampler sampler, TimeSpan offset, WatchTracker tracker, IWatchObserver observer, WatchOptions options, CancellationTokenSource stop, WatchEnd end, IKuduTrace trace)
        {
            IClock clock = options.Clock;
            if (offset > TimeSpan.Zero && !await DelayAsync(clock, offset, stop.Token).ConfigureAwait(false))
            {
                return;
            }

            using var tick = new SemaphoreSlim(0, 1);
            var schedule = new Schedule(clock, options.Interval);
            using ITicker ticker = clock.Every(options.Interval, () => Signal(tick));
            bool missing = false;
            while (!stop.IsCancellationRequested)
            {
                InstancePass pass;
                try
                {
                    await tick.WaitAsync(stop.Token).ConfigureAwait(false);
                    pass = await sampler.SampleAsync(schedule.Next(), stop.Token).ConfigureAwait(false);
                    missing = false;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (KuduException ex) when (!WatchFaults.IsFatal(ex))
                {
                    // A transient fault (503, a timeout, a recycling instance) costs this one sample, never the watch.
                    string message = $"Skipped one sample of {sampler.Location}: {ex.Message}";
                    if (ex.Kind == KuduErrorKind.InstanceNotFound && !missing)
                    {
                        trace.Warning(message, ex.Advice);
                    }
                    else
                    {
                        trace.Verbose(message, ex.Advice);
                    }

                    missing = ex.Kind == KuduErrorKind.InstanceNotFound;
                    continue;
                }
                catch (Exception ex)
                {
                    end.Fail(ex, stop);
                    return;
                }

                tracker.Keep(sampler.Instance, pass.Listed);
                foreach (WatchSample sample in pass.Samples)
                {
                    if (tracker.Observe(sample) is KuduWatchFiring firing)
                    {
                        observer.Fired(firing);
                    }
                }

                if (tracker.Done)
                {
                    end.Stop(stop, timedOut: false);
                    return;
                }

                observer.Sampled(tracker.Snapshot());
            }
        }

        /// <summary>
        /// A pass's time is the tick it answers, on the ideal schedule (start + n x interval), not the timer's
        /// reading: a timer that fires a millisecond early must not make 3 intervals count as less than 3 seconds.
        /// A pass that starts late (the previous one overran) takes the tick it is late for, so it never claims more.
        /// </summary>
        private sealed class Schedule
        {
            private readonly IClock _clock;
            private readonly TimeSpan _interval;
            private readonly TimeSpan _origin;
            private readonly DateTime _originUtc;
            private long _last = -1;

            public Schedule(IClock clock, TimeSpan interval)
            {
                _clock = clock;
                _interval = interval;
                _origin = clock.Now;
                _originUtc = clock.UtcNow;
            }

            public DateTime Next()
            {
                // A tenth of an interval absorbs a timer firing early; floor keeps a late pass on its own tick.
                long n = (long)Math.Floor((_clock.Now - _origin + TimeSpan.FromTicks(_interval.Ticks / 10)).Ticks / (double)_interval.Ticks);
                _last = Math.Max(n, _last + 1);
                return _originUtc + TimeSpan.FromTicks(_interval.Ticks * _last);
            }
        }

        /// <summary>Wakes a loop; ticks that come while a pass still runs fold into one.</summary>
        private static void Signal(SemaphoreSlim tick)
        {
            try
            {
                tick.Release();
            }
            catch (SemaphoreFullException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Waits on the given clock; false when cancelled first.</summary>
        private static async Task<bool> DelayAsync(IClock clock, TimeSpan delay, CancellationToken cancellationToken)
        {
            var elapsed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (After(clock, delay, () => elapsed.TrySetResult(true)))
            using (cancellationToken.Register(() => elapsed.TrySetResult(false)))
            {
                return await elapsed.Task.ConfigureAwait(false);
            }
        }

        /// <summary>Calls <paramref name="elapsed"/> once, <paramref name="after"/> from now, on the given clock.</summary>
        private static ITicker After(IClock clock, TimeSpan after, Action elapsed)
        {
            int calls = 0;

            // A ticker calls at once and then every period: the second call is the one that counts.
            return clock.Every(after, () =>
            {
                if (Interlocked.Increment(ref calls) == 2)
                {
                    elapsed();
                }
            });
        }

        /// <summary>Why the loops stopped; the first reason wins.</summary>
        private sealed class WatchEnd
        {
            private int _ended;

            public bool TimedOut { get; private set; }

            public ExceptionDispatchInfo? Fatal { get; private set; }

            public void Stop(CancellationTokenSource stop, bool timedOut)
            {
                if (Interlocked.Exchange(ref _ended, 1) == 0)
                {
                    TimedOut = timedOut;
                }

                Cancel(stop);
            }

            public void Fail(Exception error, CancellationTokenSource stop)
            {
                if (Interlocked.Exchange(ref _ended, 1) == 0)
                {
                    Fatal = ExceptionDispatchInfo.Capture(error);
                }

                Cancel(stop);
            }

            // Off the caller's thread: a ticker callback or a loop must not run the other loops' endings inline.
            private static void Cancel(CancellationTokenSource stop) => Task.Run(() =>
            {
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            });
        }
    }
}
