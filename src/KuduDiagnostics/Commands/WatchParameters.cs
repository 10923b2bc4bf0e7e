using System;
using System.Management.Automation;
using KuduDiagnostics.Watch;

namespace KuduDiagnostics.Commands
{
    internal static class WatchParameters
    {
        /// <summary>What a watch that ended at -Timeout with nothing fired says: without it, a quiet process and a broken watch look the same.</summary>
        public static string NothingFired(string site, WatchOptions options, int processes, int instances) =>
            $"The watch of {site} ended at -Timeout ({options.Timeout:c}) with nothing fired: {processes} process(es) on {instances} instance(s) were watched, and none held {options.Triggers.Describe(options.For)}.";

        /// <summary>The core's options from the parameters; options that cannot run are a terminating error.</summary>
        public static WatchOptions Options(WatchingCmdlet cmdlet, WatchTriggerParameters p, TimeSpan? defaultTimeout = null)
        {
            WatchOptions options = Build(cmdlet, p, defaultTimeout);
            if (options.Problem() is KuduArgumentException problem)
            {
                cmdlet.ThrowTerminatingError(KuduErrors.Record(problem, "KuduWatchInvalid", ErrorCategory.InvalidArgument, null));
            }

            return options;
        }

        /// <summary>New options from the parameters, unchecked: for a copy of options <see cref="Options"/> has checked.</summary>
        public static WatchOptions Build(WatchingCmdlet cmdlet, WatchTriggerParameters p, TimeSpan? defaultTimeout = null) =>
            new WatchOptions
            {
                Triggers = new WatchTriggers
                {
                    PrivateMemoryAbove = p.PrivateMemoryAbove,
                    WorkingSetAbove = p.WorkingSetAbove,
                    CpuAbove = p.CpuAbove,
                    ThreadCountAbove = p.ThreadCountAbove,
                    HandleCountAbove = p.HandleCountAbove,
                },
                For = cmdlet.For,
                Interval = p.Interval,
                Count = p.Count,
                Cooldown = p.Cooldown,
                Timeout = cmdlet.Timeout ?? defaultTimeout,
            };
    }

    /// <summary>Lets a duration parameter take a plain number as seconds (-Interval 5, -For 30) as well as a TimeSpan or "00:01:00".</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject ps ? ps.BaseObject : inputData;
            switch (value)
            {
                case int i: return TimeSpan.FromSeconds(i);
                case long l: return TimeSpan.FromSeconds(l);
                case double d: return TimeSpan.FromSeconds(d);
                case decimal m: return TimeSpan.FromSeconds((double)m);
                default: return inputData;
            }
        }
    }
}
