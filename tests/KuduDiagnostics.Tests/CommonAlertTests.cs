using System;
using KuduDiagnostics.AzurePlatform;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public class CommonAlertTests
    {
        private const string Site = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.web/sites/contoso-func";

        private static string Alert(string condition, params string[] targets) =>
            "{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertRule\":\"high memory\",\"monitorCondition\":\""
            + condition + "\",\"alertTargetIDs\":[" + string.Join(",", Array.ConvertAll(targets, t => "\"" + t + "\"")) + "]},\"alertContext\":{}}}";

        [Fact]
        public void A_fired_alert_names_its_site_targets_and_sets_the_rest_apart()
        {
            CommonAlert alert = CommonAlert.Parse(Alert("Fired", Site, Site + "/slots/staging", "/subscriptions/s1/resourcegroups/rg/providers/microsoft.web/serverfarms/plan"));

            Assert.True(alert.IsFired);
            Assert.Equal("high memory", alert.AlertRule);
            Assert.Equal(new[] { Site, Site + "/slots/staging" }, alert.SiteIds);
            Assert.Single(alert.OtherTargets);
        }

        [Fact]
        public void A_resolved_alert_is_not_fired()
        {
            Assert.False(CommonAlert.Parse(Alert("Resolved", Site)).IsFired);
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("{\"context\":{\"name\":\"classic\"}}")]
        [InlineData("{\"schemaId\":\"Microsoft.Insights/activityLogs\",\"data\":{}}")]
        [InlineData("{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{}}}")]
        public void Other_payloads_are_refused_with_the_fix(string body)
        {
            var ex = Assert.Throws<FormatException>(() => CommonAlert.Parse(body));
            Assert.True(ex.Message.Contains("common alert schema") || ex.Message.Contains("JSON") || ex.Message.Contains("monitorCondition"), ex.Message);
        }

        [Fact]
        public void A_serialised_WebhookData_is_unwrapped_to_its_request_body()
        {
            string body = Alert("Fired", Site);
            string webhookData = "{\"WebhookName\":\"dump\",\"RequestBody\":" + System.Text.Json.JsonSerializer.Serialize(body) + ",\"RequestHeader\":{}}";

            Assert.Equal(body, CommonAlert.UnwrapWebhookData(webhookData));
            Assert.Equal(body, CommonAlert.UnwrapWebhookData(body));
        }
    }
}
