using System;
using System.Management.Automation;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The triggers and sampling of a watch, declared once for Watch-KuduProcess and Invoke-FunctionAppDump -Watch
    /// (same names, same meaning; WatchParameters turns them into the core's options). Both cmdlets hand this object
    /// to PowerShell as dynamic parameters: Watch-KuduProcess always, Invoke-FunctionAppDump only once -Watch is given,
    /// so without -Watch the binder itself refuses a trigger and tab completion offers none. -For and -Timeout are
    /// static, on <see cref="WatchingCmdlet"/> (it says why).
    /// </summary>
    public sealed class WatchTriggerParameters
    {
        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long? PrivateMemoryAbove { get; set; }

        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long? WorkingSetAbove { get; set; }

        /// <summary>Percent of the instance's total CPU (all processors).</summary>
        [Parameter]
        [ValidateRange(0.0, 100.0)]
        public double? CpuAbove { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? ThreadCountAbove { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? HandleCountAbove { get; set; }

        [Parameter]
        [SecondsTransformation]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; } = 1;

        [Parameter]
        [SecondsTransformation]
        public TimeSpan Cooldown { get; set; }
    }
}
