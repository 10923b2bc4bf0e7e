using System.Collections.Generic;
using System.Linq;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>
    /// Which sites a fired alert asks to dump, and what to tell the runbook about the rest. A resolved alert, or one
    /// with no site among its targets, routes to nothing.
    /// </summary>
    internal sealed class AlertRoute
    {
        private AlertRoute(string rule, IReadOnlyList<string> siteIds, IReadOnlyList<string> instances, IReadOnlyList<string> warnings)
        {
            Rule = rule;
            SiteIds = siteIds;
            Instances = instances;
            Warnings = warnings;
        }

        public string Rule { get; }

        /// <summary>The resource ids of the sites to dump.</summary>
        public IReadOnlyList<string> SiteIds { get; }

        /// <summary>The machine names of the workers the alert names (split by Instance); empty: no instance named.</summary>
        public IReadOnlyList<string> Instances { get; }

        /// <summary>What the runbook's warning stream should say (targets left alone, nothing to dump).</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>
        /// Routes an alert's body (the common alert schema). <paramref name="siteId"/>, given by the caller
        /// (-ResourceId), is the site to dump instead of the alert's targets: a plan alert names no site.
        /// Throws <see cref="System.FormatException"/> when the body is not an alert, and
        /// <see cref="System.ArgumentException"/> for a plan alert without a site.
        /// </summary>
        public static AlertRoute From(string body, string? siteId = null)
        {
            CommonAlert alert = CommonAlert.Parse(body);
            string rule = alert.AlertRule ?? "(unnamed rule)";
            var warnings = new List<string>();
            if (!alert.IsFired)
            {
                warnings.Add($"Alert '{rule}' is {alert.MonitorCondition}, not Fired: nothing to dump.");
                return new AlertRoute(rule, new string[0], alert.Instances, warnings);
            }

            if (siteId != null)
            {
                return new AlertRoute(rule, new[] { siteId }, alert.Instances, warnings);
            }

            if (alert.SiteIds.Count == 0 && alert.PlanIds.Count > 0)
            {
                throw new KuduArgumentException(
                    $"Alert '{rule}' targets the App Service plan {alert.PlanIds[0]}, which names no site.", AdviceKey.PassSiteResourceId);
            }

            foreach (string other in alert.PlanIds.Concat(alert.OtherTargets))
            {
                warnings.Add($"Alert '{rule}' targets {other}, which is not an App Service or Functions site; it is left alone.");
            }

            if (alert.SiteIds.Count == 0)
            {
                warnings.Add($"Alert '{rule}' targets no App Service or Functions site: nothing to dump.");
            }

            return new AlertRoute(rule, alert.SiteIds, alert.Instances, warnings);
        }
    }
}
