using System;
using System.Management.Automation;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// A cmdlet that watches: Watch-KuduProcess, and Invoke-FunctionAppDump with -Watch. -For and -Timeout are declared
    /// here, statically, and not with the other triggers in <see cref="WatchTriggerParameters"/>: PowerShell matches
    /// each named argument against the static parameters, by prefix, before it asks for the dynamic ones, so a dynamic
    /// -For would be ambiguous with -Force and -Format, and a dynamic -Timeout would bind -TimeoutSec.
    /// </summary>
    public abstract class WatchingCmdlet : ThrottledKuduCmdlet
    {
        /// <summary>The names of this class's parameters, for a cmdlet that takes them only with a switch.</summary>
        internal static readonly string[] TimingParameterNames = { nameof(For), nameof(Timeout) };

        /// <summary>How long every trigger must hold before a firing; 0 fires on the first sample that crosses.</summary>
        [Parameter]
        [SecondsTransformation]
        public TimeSpan For { get; set; }

        [Parameter]
        [SecondsTransformation]
        public TimeSpan? Timeout { get; set; }
    }
}
