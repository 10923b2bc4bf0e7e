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
            Assert.Single(alert.PlanIds);
            Assert.Empty(alert.OtherTargets);
            Assert.Empty(alert.Instances);
        }

        [Fact]
        public void The_instances_an_alert_split_by_Instance_names_come_from_every_condition()
        {
            string body = "{\"schemaId\":\"azureMonitorCommonAlertSchema\",\"data\":{\"essentials\":{\"alertRule\":\"mem\",\"monitorCondition\":\"Fired\",\"alertTargetIDs\":[\"" + Site + "\"]},"
                + "\"alertContext\":{\"condition\":{\"allOf\":["
                + "{\"metricName\":\"MemoryWorkingSet\",\"dimensions\":[{\"name\":\"ResourceId\",\"value\":\"contoso.azurewebsites.net\"},{\"name\":\"Instance\",\"value\":\"RD0003FF1A2B3C\"}]},"
                + "{\"metricName\":\"CpuTime\",\"dimensions\":[{\"name\":\"instance\",\"value\":\"rd0003ff1a2b3c\"},{\"name\":\"Instance\",\"value\":\"lw1sdlwk0000F3\"}]}]}}}}";

            CommonAlert alert = CommonAlert.Parse(body);

            Assert.Equal(new[] { "RD0003FF1A2B3C", "lw1sdlwk0000F3" }, alert.Instances);
        }

        [Fact]
        public void A_plan_alert_takes_the_site_from_the_caller_and_refuses_without_one()
        {
            string plan = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan";
            string body = Alert("Fired", plan);

            var ex = Assert.Throws<KuduArgumentException>(() => AlertRoute.From(body));
            Assert.Equal(AdviceKey.PassSiteResourceId, ex.Advice!.Key);
            Assert.EndsWith("which names no site: pass the site with -ResourceId, and the alert still picks the instance.", Commands.Advice.Apply(ex).Message);
            Assert.Equal(new[] { Site }, AlertRoute.From(body, Site).SiteIds);
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
