using System.Management.Automation;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// A cmdlet whose Kudu requests are bounded per instance (-ThrottleLimit: each instance has its own Kudu, so that
    /// is where load lands) and in all (-OverallThrottleLimit: this client's sockets and threads). Parameters rather
    /// than a module setting: each command owns its limiter, and $PSDefaultParameterValues sets them for a session.
    /// The one place a command builds a limiter; about_KuduDiagnostics_Throttling is the one place the names are told.
    /// </summary>
    public abstract class ThrottledKuduCmdlet : KuduCmdlet
    {
        /// <summary>Requests in flight per instance.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = RequestLimiter.DefaultPerInstance;

        /// <summary>Requests in flight in all, whatever the instances and sites.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int OverallThrottleLimit { get; set; } = RequestLimiter.DefaultOverall;

        /// <summary>One limiter for the whole command: every pipeline item and site shares its bounds.</summary>
        internal RequestLimiter NewLimiter() => new RequestLimiter(OverallThrottleLimit, ThrottleLimit);
    }
}
