using System;
using System.Management.Automation;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The triggers and timing of a watch, declared once for Watch-KuduProcess and Invoke-FunctionAppDump -Watch
    /// (same names, same meaning; WatchParameters turns them into the core's options).
    /// </summary>
    public abstract class WatchTriggerCmdlet : ThrottledKuduCmdlet, IWatchParameters
    {
        /// <summary>The parameters of this class, for a cmdlet that takes them only with a switch.</summary>
        internal static readonly string[] TriggerParameterNames =
        {
            nameof(PrivateMemoryAbove), nameof(WorkingSetAbove), nameof(CpuAbove), nameof(ThreadCountAbove), nameof(HandleCountAbove),
            nameof(For), nameof(Interval), nameof(Count), nameof(Cooldown), nameof(Timeout),
        };

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
        public TimeSpan For { get; set; }

        [Parameter]
        [SecondsTransformation]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; } = 1;

        [Parameter]
        [SecondsTransformation]
        public TimeSpan Cooldown { get; set; }

        [Parameter]
        [SecondsTransformation]
        public TimeSpan? Timeout { get; set; }
    }
}
