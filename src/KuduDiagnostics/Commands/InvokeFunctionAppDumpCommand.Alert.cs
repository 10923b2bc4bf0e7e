using System;
using System.Collections.Generic;
using System.Management.Automation;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>Invoke-FunctionAppDump -WebhookData and -ResourceId: the sites (and instances) an alert names, through Resource Manager.</summary>
    public sealed partial class InvokeFunctionAppDumpCommand
    {
        /// <summary>A site from -ResourceId or an alert: always through Resource Manager with the Azure identity.</summary>
        private KuduSessionOptions IdentityOptions(string resourceId)
        {
            KuduSessionOptions options = this.ToOptions(this);
            options.ResourceId = resourceId;
            options.UseAzureIdentity = true;
            return options;
        }

        /// <summary>Routes the alert (core) and starts each site it names.</summary>
        private void StartAlert()
        {
            AlertRoute route;
            try
            {
                route = AlertRoute.From(WebhookPayload.BodyOf(WebhookData!), ResourceId);
            }
            catch (FormatException ex)
            {
                WriteError(KuduErrors.Record(ex, "KuduWebhookInvalid", ErrorCategory.InvalidData, "WebhookData"));
                return;
            }
            catch (ArgumentException ex)
            {
                WriteError(KuduErrors.Record(ex, "KuduAlertNamesNoSite", ErrorCategory.InvalidArgument, "WebhookData"));
                return;
            }

            foreach (string warning in route.Warnings)
            {
                WriteWarning(warning);
            }

            if (route.SiteIds.Count == 0)
            {
                return;
            }

            WriteVerbose($"Alert '{route.Rule}' fired for {route.SiteIds.Count} site(s).");
            IReadOnlyList<string>? alertInstances = null;
            if (route.Instances.Count > 0)
            {
                // What the caller says explicitly wins over what the alert names.
                bool explicitInstances = AllInstances.IsPresent || Instance != null;
                WriteVerbose($"Alert '{route.Rule}' names instance(s) {string.Join(", ", route.Instances)}{(explicitInstances ? ", but -AllInstances or -Instance was given and wins" : string.Empty)}.");
                alertInstances = explicitInstances ? null : route.Instances;
            }

            foreach (string siteId in route.SiteIds)
            {
                StartSite(null, IdentityOptions(siteId), siteId, alertInstances);
            }
        }
    }
}
