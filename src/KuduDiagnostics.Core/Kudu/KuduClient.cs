using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// A session's view of its site's process API, whatever the platform: every result carries the session and
    /// the instance that served it, environment values are redacted unless asked for, and every error names the
    /// site, instance and process it is about. Without an instance a request goes to the session's pinned one
    /// (the first that answered). Cmdlets and flows go through this, never the transport.
    /// </summary>
    internal sealed partial class KuduClient
    {
        public const string RedactedValue = "<redacted>";

        private readonly KuduSession _session;
        private readonly RequestLimiter _limiter;
        private readonly KuduAffinity _affinity;

        public KuduClient(KuduSession session, IKuduContract contract, RequestLimiter limiter, KuduAffinity affinity)
        {
            _session = session;
            Contract = contract;
            _limiter = limiter;
            _affinity = affinity;
        }

        public IKuduContract Contract { get; }

        // The plumbing of one request (this command's limiter, the caller's trace), kept out of what it is about.
        private KuduCall Call(IKuduTrace trace) => new KuduCall(_limiter, trace);

        /// <summary>The site's own contract (Windows or Linux), asking the process list first when the platform is not known yet.</summary>
        public async Task<IKuduContract> PlatformContractAsync(string? instance, IKuduTrace trace, CancellationToken cancellationToken)
        {
            if (!(Contract is PlatformDetection detection) || detection.Platform != KuduPlatform.Unknown)
            {
                return Contract is PlatformDetection known ? known.Current : Contract;
            }

            await ListProcessesAsync(instance, trace, cancellationToken).ConfigureAwait(false);
            return detection.Current;
        }

        /// <summary>One cheap authenticated request (the session check); records and pins the instance that answered.</summary>
        public async Task<string?> CheckAccessAsync(IKuduTrace trace, CancellationToken cancellationToken)
        {
            // Session-level: a failure keeps the cmdlet's target (the site it was asked for).
            string? served = await SendAsync(null, a => Contract.CheckAccessAsync(a, Call(trace), cancellationToken), s => s, true, trace).ConfigureAwait(false);
            _affinity.Record(served, null);
            return served;
        }

        public async Task<List<KuduProcess>> ListProcessesAsync(string? instance, IKuduTrace trace, CancellationToken cancellationToken)
        {
            string? asked = instance ?? _affinity.Pinned;
            return await AboutAsync(ex => KuduTarget.Of(_session, asked ?? ex.AnsweredBy), async () =>
            {
                (List<KuduProcess> processes, string? served) = await SendAsync(instance,
                    a => Contract.ListProcessesAsync(a, Call(trace), cancellationToken), r => r.ServedInstance, true, trace).ConfigureAwait(false);
                _affinity.Record(served, processes.Count > 0 ? processes[0].MachineName : null);
                foreach (KuduProcess p in processes)
                {
                    Stamp(p, served);
                }

                return processes;
            }).ConfigureAwait(false);
        }

        public Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, bool includeEnvironment, IKuduTrace trace, CancellationToken cancellationToken) =>
            GetProcessAsync(instance, id, null, includeEnvironment, trace, cancellationToken);

        /// <summary>The detail of a process; <paramref name="name"/>, when the caller knows it, names the process in errors.</summary>
        public async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, string? name, bool includeEnvironment, IKuduTrace trace, CancellationToken cancellationToken)
        {
            string? asked = instance ?? _affinity.Pinned;
            return await AboutAsync(ex => KuduTarget.Of(_session, asked ?? ex.AnsweredBy, id, name), async () =>
            {
                // A pid means a process of one instance: if the pinned instance is gone, the answer of another is an error.
                KuduProcessDetail detail = await SendAsync(instance,
                    a => Contract.GetProcessAsync(a, id, Call(trace), cancellationToken), d => d.Instance, false, trace).ConfigureAwait(false);
                _affinity.Record(detail.Instance, detail.MachineName);
                Stamp(detail, detail.Instance);
                if (!includeEnvironment && detail.EnvironmentVariables.Count > 0)
                {
                    var redacted = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (string key in detail.EnvironmentVariables.Keys)
                    {
                        redacted[key] = RedactedValue;
                    }

                    detail.EnvironmentVariables = redacted;
                    detail.EnvironmentRedacted = true;
                }

                return detail;
            }).ConfigureAwait(false);
        }

        /// <summary>Asks for a dump of the target process; returns once the headers arrive. The caller streams the body.</summary>
        public Task<KuduDumpResponse> OpenDumpAsync(KuduTarget target, DumpKind kind, DumpFormat format, IKuduTrace trace, CancellationToken cancellationToken) =>
            AboutAsync(ex => Where(target, ex), async () =>
            {
                KuduDumpResponse response = await SendAsync(target.Instance,
                    a => Contract.OpenDumpAsync(a, target.Id ?? 0, kind, format, Call(trace), cancellationToken), r => r.Instance, false, trace).ConfigureAwait(false);
                _affinity.Record(response.Instance, null);
                return response;
            });

        /// <summary>A process as a list shows it, from its detail (Kudu resolves the aliases 0 and -1 on the detail route only).</summary>
        public KuduProcess ListingOf(KuduProcessDetail detail) => Stamp(new KuduProcess
        {
            Id = detail.Id,
            Name = detail.Name,
            MachineName = detail.MachineName,
            UserName = detail.UserName,
            Href = detail.Href,
            IsScmSite = detail.IsScmSite,
        }, detail.Instance);

        /// <summary>
        /// The one place a request's failure learns where it happened: a <see cref="KuduException"/> from
        /// <paramref name="call"/> leaves naming <paramref name="where"/>'s target, unless it already names a process.
        /// </summary>
        private static async Task<T> AboutAsync<T>(Func<KuduException, KuduTarget> where, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (KuduException ex)
            {
                ex.AttachTarget(where(ex));
                throw;
            }
        }

        // Everything the facade returns names its session and the instance that served it: set here and nowhere else.
        private KuduProcess Stamp(KuduProcess process, string? instance)
        {
            process.Session = _session;
            process.Instance = instance;
            return process;
        }

        private void Stamp(KuduProcessDetail detail, string? instance)
        {
            detail.Session = _session;
            detail.Instance = instance;
        }

        private KuduThread Stamp(KuduThread thread, KuduTarget target, string? instance)
        {
            thread.Session = _session;
            thread.Instance = instance;
            thread.ProcessId = target.Id ?? 0;
            thread.ProcessName = target.Name;
            return thread;
        }

        private KuduModule Stamp(KuduModule module, KuduTarget target, string? instance)
        {
            module.Session = _session;
            module.Instance = instance;
            module.ProcessId = target.Id ?? 0;
            module.ProcessName = target.Name;
            return module;
        }

        /// <summary>A process target; without an instance, the one the request went to (the pinned one, or the one that answered).</summary>
        private KuduTarget Where(KuduTarget target, KuduException ex) => target.Instance == null ? target.With(_affinity.Pinned ?? ex.AnsweredBy) : target;

        /// <summary>
        /// Sends to the instance asked for, else to the pinned one. The first answer to a request without an instance
        /// pins its instance; when the pinned instance is gone, the session warns once and moves to the one that
        /// answered, and a request that is not about one process is sent again there.
        /// </summary>
        private async Task<T> SendAsync<T>(string? instance, Func<string?, Task<T>> send, Func<T, string?> servedBy, bool resendOnMove, IKuduTrace trace)
        {
            if (instance != null)
            {
                return await send(instance).ConfigureAwait(false);
            }

            string? pinned = _affinity.Pinned;
            try
            {
                T result = await send(pinned).ConfigureAwait(false);
                _affinity.PinIfNone(servedBy(result));
                return result;
            }
            catch (KuduException ex) when (pinned != null && ex.Kind == KuduErrorKind.InstanceNotFound && ex.AnsweredBy != null)
            {
                if (_affinity.Move(pinned, ex.AnsweredBy))
                {
                    trace.Warning($"Instance {KuduTarget.ShortId(pinned)} of {_session.SiteName}, which this session stayed on, is gone: the front end answered from instance {KuduTarget.ShortId(ex.AnsweredBy)}, so the session stays there from now on.");
                }

                if (!resendOnMove)
                {
                    throw;
                }

                return await send(_affinity.Pinned).ConfigureAwait(false);
            }
        }
    }
}
