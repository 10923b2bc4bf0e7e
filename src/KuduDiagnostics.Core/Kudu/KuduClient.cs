using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// A session's view of its site's process API, whatever the platform: every result carries the session and
    /// the instance that served it, environment values are redacted unless asked for, and every error names the
    /// site, instance and process it is about. Cmdlets and flows go through this, never the transport.
    /// </summary>
    internal sealed class KuduClient
    {
        public const string RedactedValue = "<redacted: use -IncludeEnvironment>";

        private readonly KuduSession _session;
        private readonly RequestLimiter _limiter;

        public KuduClient(KuduSession session, IKuduContract contract, RequestLimiter limiter)
        {
            _session = session;
            Contract = contract;
            _limiter = limiter;
        }

        public IKuduContract Contract { get; }

        /// <summary>The site's own contract (Windows or Linux), asking the process list first when the platform is not known yet.</summary>
        public async Task<IKuduContract> PlatformContractAsync(string? instance, IKuduTrace trace, CancellationToken cancellationToken)
        {
            try
            {
                return Contract is PlatformDetection detection
                    ? await detection.ResolveAsync(instance, _limiter, trace, cancellationToken).ConfigureAwait(false)
                    : Contract;
            }
            catch (KuduException ex) when (ex.AttachTarget(KuduTarget.Of(_session, instance)))
            {
                throw;
            }
        }

        public async Task<List<KuduProcess>> ListProcessesAsync(string? instance, IKuduTrace trace, CancellationToken cancellationToken)
        {
            try
            {
                (List<KuduProcess> processes, string? served) = await Contract.ListProcessesAsync(instance, _limiter, trace, cancellationToken).ConfigureAwait(false);
                foreach (KuduProcess p in processes)
                {
                    p.Session = _session;
                    p.Instance = served;
                }

                return processes;
            }
            catch (KuduException ex) when (ex.AttachTarget(KuduTarget.Of(_session, instance)))
            {
                throw;
            }
        }

        public async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, bool includeEnvironment, IKuduTrace trace, CancellationToken cancellationToken)
        {
            try
            {
                KuduProcessDetail detail = await Contract.GetProcessAsync(instance, id, _limiter, trace, cancellationToken).ConfigureAwait(false);
                detail.Session = _session;
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
            }
            catch (KuduException ex) when (ex.AttachTarget(KuduTarget.Of(_session, instance, id)))
            {
                throw;
            }
        }

        /// <summary>Asks for a dump of the target process; returns once the headers arrive. The caller streams the body.</summary>
        public async Task<KuduDumpResponse> OpenDumpAsync(KuduTarget target, DumpKind kind, DumpFormat format, IKuduTrace trace, CancellationToken cancellationToken)
        {
            try
            {
                return await Contract.OpenDumpAsync(target.Instance, target.Id ?? 0, kind, format, _limiter, trace, cancellationToken).ConfigureAwait(false);
            }
            catch (KuduException ex) when (ex.AttachTarget(target))
            {
                throw;
            }
        }
    }
}
