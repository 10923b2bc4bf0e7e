using System.Collections.Generic;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>
    /// Which sites a fired alert asks to dump, and what to tell the runbook about the rest. A resolved alert, or one
    /// with no site among its targets, routes to nothing.
    /// </summary>
    internal sealed class AlertRoute
    {
        private AlertRoute(string rule, IReadOnlyList<string> siteIds, IReadOnlyList<string> warnings)
        {
            Rule = rule;
            SiteIds = siteIds;
            Warnings = warnings;
        }

        public string Rule { get; }

        /// <summary>The resource ids of the sites to dump.</summary>
        public IReadOnlyList<string> SiteIds { get; }

        /// <summary>What the runbook's warning stream should say (targets left alone, nothing to dump).</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Routes an alert's body (the common alert schema); throws <see cref="System.FormatException"/> when it is not one.</summary>
        public static AlertRoute From(string body)
        {
            CommonAlert alert = CommonAlert.Parse(body);
            string rule = alert.AlertRule ?? "(unnamed rule)";
            var warnings = new List<string>();
            if (!alert.IsFired)
            {
                warnings.Add($"Alert '{rule}' is {alert.MonitorCondition}, not Fired: nothing to dump.");
                return new AlertRoute(rule, new string[0], warnings);
            }

            foreach (string other in alert.OtherTargets)
            {
                warnings.Add($"Alert '{rule}' targets {other}, which is not an App Service or Functions site; it is left alone.");
            }

            if (alert.SiteIds.Count == 0)
            {
                warnings.Add($"Alert '{rule}' targets no App Service or Functions site: nothing to dump.");
            }

            return new AlertRoute(rule, alert.SiteIds, warnings);
        }
    }
}
