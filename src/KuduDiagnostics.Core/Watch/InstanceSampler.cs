using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Watch
{
    /// <summary>What one pass over one instance found.</summary>
    internal sealed class InstancePass
    {
        /// <summary>Every pid the list showed (watched or not): processes missing from it have exited.</summary>
        public HashSet<int> Listed { get; set; } = new HashSet<int>();

        public List<WatchSample> Samples { get; set; } = new List<WatchSample>();
    }

    /// <summary>
    /// Samples one instance: one process list, then one detail per watched process, in parallel through the
    /// watch's request limiter. The SCM site's worker (known by is_scm_site, which only the detail tells) is read
    /// once and then left out. Without a given instance, the first answer pins the instance that served it.
    /// </summary>
    internal sealed class InstanceSampler
    {
        private readonly KuduSession _session;
        private readonly KuduClient _kudu;
        private readonly WatchOptions _options;
        private readonly Func<string, bool> _wanted;
        private readonly IKuduTrace _trace;
        private readonly HashSet<int> _scm = new HashSet<int>();
        private HashSet<int> _watched = new HashSet<int>();
        private int _processors; // 0 until known; written by parallel detail reads, so a plain int
        private bool _processorsMissingTold;

        // Kudu's time_stamp of each process's last sample; once one does not advance, this instance's samples are
        // timed by the watch's own clock from then on (a frozen stamp would make -For never pass).
        private readonly Dictionary<int, DateTime> _lastStamp = new Dictionary<int, DateTime>();
        private bool _stampsFrozen;

        public InstanceSampler(KuduSession session, KuduClient kudu, string? instance, Func<string, bool> wanted, WatchOptions options, IKuduTrace trace)
        {
            _session = session;
            _kudu = kudu;
            Instance = instance;
            _wanted = wanted;
            _options = options;
            _trace = trace;
        }

        /// <summary>The instance sampled; null until the front end has picked one.</summary>
        public string? Instance { get; private set; }

        /// <summary>"contoso instance 1a2b3c", or the site alone before an instance is known.</summary>
        public string Location => KuduTarget.Of(_session, Instance).Location;

        public async Task<InstancePass> SampleAsync(DateTime at, CancellationToken cancellationToken)
        {
            List<KuduProcess> listed = await _kudu.ListProcessesAsync(Instance, _trace, cancellationToken).ConfigureAwait(false);
            if (Instance == null && listed.FirstOrDefault(p => p.Instance != null) is KuduProcess served)
            {
                // The front end balances requests without a cookie: stay on the instance it picked first.
                Instance = served.Instance;
                _trace.Verbose($"Watching {Location}, the instance the front end picked.", AdviceKey.OtherInstances);
            }

            var pass = new InstancePass { Listed = new HashSet<int>(listed.Select(p => p.Id)) };
            lock (_scm)
            {
                _scm.IntersectWith(pass.Listed);
            }

            List<KuduProcess> candidates = listed.Where(Watched).ToList();
            WatchSample?[] samples = await Task.WhenAll(candidates.Select(p => ReadAsync(p, at, cancellationToken))).ConfigureAwait(false);
            pass.Samples.AddRange(samples.Where(s => s != null)!);
            Tell(pass);
            return pass;
        }

        private bool Watched(KuduProcess p)
        {
            if (_options.Ids is { Count: > 0 } ids ? !ids.Contains(p.Id) : !_wanted(p.Name))
            {
                return false;
            }

            lock (_scm)
            {
                return !_scm.Contains(p.Id);
            }
        }

        private async Task<WatchSample?> ReadAsync(KuduProcess process, DateTime at, CancellationToken cancellationToken)
        {
            string? instance = process.Instance ?? Instance;
            bool needProcessors = Volatile.Read(ref _processors) == 0;
            try
            {
                // The environment's values are asked for only to read NUMBER_OF_PROCESSORS: this detail never leaves
                // this method, and no other value is read or kept.
                KuduProcessDetail detail = await _kudu.GetProcessAsync(instance, process.Id, includeEnvironment: needProcessors, _trace, cancellationToken).ConfigureAwait(false);
                if (detail.IsScmSite && !_options.IncludeScmSite)
                {
                    lock (_scm)
                    {
                        _scm.Add(process.Id);
                    }

                    _trace.Verbose($"Not watching {KuduTarget.Of(_session, instance, process.Id, detail.Name).Display}: it is the SCM (Kudu) site's own worker.", AdviceKey.IncludeScmSiteToWatch);
                    return null;
                }

                if (needProcessors && CpuPercent.ProcessorCount(detail.EnvironmentVariables) is int count)
                {
                    Volatile.Write(ref _processors, count);
                }

                int processors = Volatile.Read(ref _processors);
                DateTime? serverTime = ServerTimeOf(process.Id, detail.TimeStamp, instance);

                return new WatchSample
                {
                    Session = _session,
                    Instance = detail.Instance ?? instance,
                    Id = detail.Id,
                    Name = detail.Name,
                    StartTime = detail.StartTime,
                    At = at,
                    ServerTime = serverTime,
                    TotalCpuTime = detail.TotalCpuTime,
                    ProcessorCount = processors > 0 ? processors : (int?)null,
                    PrivateMemory = detail.PrivateMemory,
                    WorkingSet = detail.WorkingSet,
                    ThreadCount = detail.ThreadCount,
                    HandleCount = detail.HandleCount,
                };
            }
            catch (KuduException ex) when (ex.Kind == KuduErrorKind.ProcessNotFound)
            {
                return null; // it exited between the list and the detail: dropped without a word
            }
            catch (KuduException ex) when (!WatchFaults.IsFatal(ex))
            {
                _trace.Verbose($"Skipped one sample of {KuduTarget.Of(_session, instance, process.Id, process.Name).Display}: {ex.Message}", ex.Advice);
                return null;
            }
        }

        /// <summary>Kudu's stamp for this sample, or null (the watch's clock) once the instance's stamps stopped advancing.</summary>
        private DateTime? ServerTimeOf(int id, DateTime? stamp, string? instance)
        {
            lock (_lastStamp)
            {
                if (_stampsFrozen || stamp == null)
                {
                    return null;
                }

                if (_lastStamp.TryGetValue(id, out DateTime last) && stamp.Value <= last)
                {
                    _stampsFrozen = true;
                    _trace.Verbose($"Kudu on {KuduTarget.Of(_session, instance).Display} stamped two samples of process {id} with the same time ({last:HH:mm:ss.fff} UTC): its time_stamp does not advance, so this instance is timed by this computer's clock from now on.");
                    return null;
                }

                _lastStamp[id] = stamp.Value;
                return stamp;
            }
        }

        /// <summary>Says which processes joined or left the watch, and once, when CPU percent cannot be known.</summary>
        private void Tell(InstancePass pass)
        {
            var now = new HashSet<int>(pass.Samples.Select(s => s.Id));
            foreach (WatchSample joined in pass.Samples.Where(s => !_watched.Contains(s.Id)))
            {
                _trace.Verbose($"Watching {KuduTarget.Of(_session, joined.Instance, joined.Id, joined.Name).Display}.");
            }

            foreach (int left in _watched.Where(id => !pass.Listed.Contains(id)))
            {
                _trace.Verbose($"Process {left} on {Location} has exited; no longer watched.");
            }

            // A sample skipped by a fault keeps its process watched; only the list says a process is gone.
            now.UnionWith(_watched.Where(pass.Listed.Contains));
            _watched = now;
            if (_options.Triggers.CpuAbove != null && Volatile.Read(ref _processors) == 0 && pass.Samples.Count > 0 && !_processorsMissingTold)
            {
                _processorsMissingTold = true;
                _trace.Warning($"{Location} does not tell its processor count ({CpuPercent.ProcessorCountVariable} is not readable in the process environment), so CPU percent is unknown there.", AdviceKey.CpuTrigger);
            }
        }
    }

    /// <summary>Which Kudu failures end a watch; every other one skips a sample.</summary>
    internal static class WatchFaults
    {
        public static bool IsFatal(KuduException ex) => ex.Kind switch
        {
            KuduErrorKind.AuthenticationFailed => true,
            KuduErrorKind.AccessDenied => true,
            KuduErrorKind.NotSupportedOnLinux => true,
            KuduErrorKind.BadRequest => true,
            KuduErrorKind.UnencryptedConnection => true,
            KuduErrorKind.ScmSiteNotAvailable => true,
            KuduErrorKind.DotnetMonitorRouteNotServed => true,
            KuduErrorKind.DotnetMonitorAuthenticationRequired => true,
            KuduErrorKind.ProcessApiUnavailable => true,
            _ => false,
        };
    }
}
