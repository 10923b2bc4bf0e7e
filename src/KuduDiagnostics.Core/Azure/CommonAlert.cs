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
        private CommonAlert(string? alertRule, string monitorCondition, IReadOnlyList<string> siteIds, IReadOnlyList<string> otherTargets)
        {
            AlertRule = alertRule;
            MonitorCondition = monitorCondition;
            SiteIds = siteIds;
            OtherTargets = otherTargets;
        }

        public string? AlertRule { get; }

        /// <summary>"Fired" or "Resolved".</summary>
        public string MonitorCondition { get; }

        public bool IsFired => string.Equals(MonitorCondition, "Fired", StringComparison.OrdinalIgnoreCase);

        /// <summary>Targets that are App Service or Functions sites (or slots).</summary>
        public IReadOnlyList<string> SiteIds { get; }

        /// <summary>Targets that are something else (a plan, a storage account); reported, not dumped.</summary>
        public IReadOnlyList<string> OtherTargets { get; }

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

                        (SiteResourceId.TryParse(id, out _) ? sites : others).Add(id!);
                    }
                }

                string? rule = essentials.TryGetProperty("alertRule", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                return new CommonAlert(rule, condition, sites, others);
            }
        }
    }
}
