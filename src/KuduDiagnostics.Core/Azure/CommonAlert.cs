using System;
using System.Collections.Generic;
using System.Text.Json;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>
    /// The part of an Azure Monitor common alert schema payload a dump run needs: is it firing, and which
    /// App Service sites does it target. https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-common-schema
    /// </summary>
    internal sealed class CommonAlert
    {
        private CommonAlert(string? alertRule, string monitorCondition, IReadOnlyList<string> siteIds, IReadOnlyList<string> planIds, IReadOnlyList<string> otherTargets, IReadOnlyList<string> instances)
        {
            AlertRule = alertRule;
            MonitorCondition = monitorCondition;
            SiteIds = siteIds;
            PlanIds = planIds;
            OtherTargets = otherTargets;
            Instances = instances;
        }

        public string? AlertRule { get; }

        /// <summary>"Fired" or "Resolved".</summary>
        public string MonitorCondition { get; }

        public bool IsFired => string.Equals(MonitorCondition, "Fired", StringComparison.OrdinalIgnoreCase);

        /// <summary>Targets that are App Service or Functions sites (or slots).</summary>
        public IReadOnlyList<string> SiteIds { get; }

        /// <summary>Targets that are App Service plans (Microsoft.Web/serverfarms): they name no site.</summary>
        public IReadOnlyList<string> PlanIds { get; }

        /// <summary>Targets that are something else (a storage account); reported, not dumped.</summary>
        public IReadOnlyList<string> OtherTargets { get; }

        /// <summary>
        /// The workers' machine names of an alert split by the Instance dimension, from every condition of
        /// alertContext.condition.allOf (distinct, case ignored); empty when the alert is not split so.
        /// </summary>
        public IReadOnlyList<string> Instances { get; }

        /// <summary>
        /// The alert JSON from a whole serialised $WebhookData ({"WebhookName":..,"RequestBody":"..."}), as a test
        /// pane passes it; any other text is returned as it is.
        /// </summary>
        public static string UnwrapWebhookData(string text)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("RequestBody", out JsonElement body)
                    && body.ValueKind == JsonValueKind.String)
                {
                    return body.GetString()!;
                }
            }
            catch (JsonException)
            {
                // Not JSON: Parse reports it.
            }

            return text;
        }

        /// <summary>Parses the request body; throws FormatException with what is wrong (never the body itself).</summary>
        public static CommonAlert Parse(string body)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The webhook body is not JSON (line {ex.LineNumber + 1}).", ex);
            }

            using (doc)
            {
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("schemaId", out JsonElement schema)
                    || !string.Equals(schema.GetString(), "azureMonitorCommonAlertSchema", StringComparison.OrdinalIgnoreCase)
                    || !root.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object
                    || !data.TryGetProperty("essentials", out JsonElement essentials) || essentials.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException("The webhook body is not an Azure Monitor alert in the common alert schema (schemaId 'azureMonitorCommonAlertSchema' with data.essentials). Turn on 'Enable the common alert schema' for the webhook in the alert's action group.");
                }

                string condition = essentials.TryGetProperty("monitorCondition", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : string.Empty;
                if (condition.Length == 0)
                {
                    throw new FormatException("The alert has no data.essentials.monitorCondition (Fired or Resolved).");
                }

                var sites = new List<string>();
                var plans = new List<string>();
                var others = new List<string>();
                if (essentials.TryGetProperty("alertTargetIDs", out JsonElement targets) && targets.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement target in targets.EnumerateArray())
                    {
                        string? id = target.GetString();
                        if (string.IsNullOrWhiteSpace(id))
                        {
                            continue;
                        }

                        (SiteResourceId.TryParse(id, out _) ? sites : IsPlan(id!) ? plans : others).Add(id!);
                    }
                }

                string? rule = essentials.TryGetProperty("alertRule", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                return new CommonAlert(rule, condition, sites, plans, others, InstanceDimensions(data));
            }
        }

        private static bool IsPlan(string id) => id.IndexOf("/providers/Microsoft.Web/serverfarms/", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>"dimensions": [{"name":"Instance","value":"RD0003FF1A2B3C"}] in any condition of allOf.</summary>
        private static List<string> InstanceDimensions(JsonElement data)
        {
            var names = new List<string>();
            if (data.TryGetProperty("alertContext", out JsonElement context) && context.ValueKind == JsonValueKind.Object
                && context.TryGetProperty("condition", out JsonElement condition) && condition.ValueKind == JsonValueKind.Object
                && condition.TryGetProperty("allOf", out JsonElement allOf) && allOf.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement criterion in allOf.EnumerateArray())
                {
                    if (criterion.ValueKind != JsonValueKind.Object || !criterion.TryGetProperty("dimensions", out JsonElement dimensions) || dimensions.ValueKind != JsonValueKind.Array)
                    {
                        continue;
                    }

                    foreach (JsonElement dimension in dimensions.EnumerateArray())
                    {
                        if (dimension.ValueKind == JsonValueKind.Object
                            && dimension.TryGetProperty("name", out JsonElement n) && string.Equals(n.GetString(), "Instance", StringComparison.OrdinalIgnoreCase)
                            && dimension.TryGetProperty("value", out JsonElement v) && v.ValueKind == JsonValueKind.String
                            && !string.IsNullOrWhiteSpace(v.GetString())
                            && !names.Exists(x => string.Equals(x, v.GetString(), StringComparison.OrdinalIgnoreCase)))
                        {
                            names.Add(v.GetString()!.Trim());
                        }
                    }
                }
            }

            return names;
        }
    }
}
