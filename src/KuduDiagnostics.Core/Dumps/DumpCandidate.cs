using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Dumps
{
    /// <summary>A process about to be dumped, as Kudu describes it: its real id and name, its instance, and whether it is the SCM site's worker.</summary>
    internal sealed class DumpCandidate
    {
        /// <summary>Why the SCM site's worker is left out: it serves the dumps, and a dump freezes it.</summary>
        public const string ScmSiteReason = "it is the SCM (Kudu) site's own worker, which serves the dumps (a dump freezes it)";

        private DumpCandidate(KuduTarget target, bool isScmSite)
        {
            Target = target;
            IsScmSite = isScmSite;
        }

        public KuduTarget Target { get; }

        /// <summary>Kudu's own is_scm_site, never a guess from the name or id.</summary>
        public bool IsScmSite { get; }

        /// <summary>Reads the process's detail (also failing fast, before the site's turn, when it has exited).</summary>
        public static async Task<DumpCandidate> InspectAsync(KuduTarget target, RequestLimiter? limiter, IKuduTrace trace, CancellationToken cancellationToken)
        {
            KuduSession session = target.Session!;
            KuduProcessDetail detail = await session.Kudu(limiter).GetProcessAsync(target.Instance, target.Id ?? 0, target.Name, includeEnvironment: false, trace, cancellationToken).ConfigureAwait(false);
            var inspected = KuduTarget.Of(session, target.Instance ?? detail.Instance, detail.Id, target.Name ?? detail.Name);
            return new DumpCandidate(inspected, detail.IsScmSite);
        }
    }
}
