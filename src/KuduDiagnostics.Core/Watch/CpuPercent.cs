using System;
using System.Collections.Generic;
using System.Globalization;

namespace KuduDiagnostics.Watch
{
    /// <summary>CPU percent the way DaaS computes it, and the processor count it divides by.</summary>
    internal static class CpuPercent
    {
        /// <summary>The one environment variable the watch reads: not a secret, and what DaaS divides by.</summary>
        public const string ProcessorCountVariable = "NUMBER_OF_PROCESSORS";

        /// <summary>
        /// Percent of the instance's total CPU between two samples: the process's CPU-time delta over the processor
        /// count times the wall-clock delta. Null when it cannot be known (a value missing, no time between the
        /// samples, CPU time going backwards as it does when the pid now names another process).
        /// </summary>
        public static double? Between(TimeSpan? cpuBefore, TimeSpan? cpuAfter, TimeSpan wallClock, int? processors)
        {
            if (cpuBefore is not TimeSpan before || cpuAfter is not TimeSpan after || processors is not int n || n < 1 || wallClock <= TimeSpan.Zero)
            {
                return null;
            }

            TimeSpan used = after - before;
            if (used < TimeSpan.Zero)
            {
                return null;
            }

            return used.Ticks * 100.0 / (n * (double)wallClock.Ticks);
        }

        /// <summary>The processor count in a process's environment, or null when absent or not a positive number.</summary>
        public static int? ProcessorCount(IReadOnlyDictionary<string, string> environment)
        {
            foreach (KeyValuePair<string, string> variable in environment)
            {
                // Read this one value only; every other value is left alone (they hold the app's secrets).
                if (string.Equals(variable.Key, ProcessorCountVariable, StringComparison.OrdinalIgnoreCase))
                {
                    return int.TryParse(variable.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : (int?)null;
                }
            }

            return null;
        }
    }
}
