using System;
using System.Collections;
using System.Management.Automation;
using KuduDiagnostics.AzurePlatform;

namespace KuduDiagnostics.Commands
{
    /// <summary>The alert JSON inside -WebhookData, however the runbook was given it.</summary>
    internal static class WebhookPayload
    {
        /// <summary>Automation passes an object with RequestBody; a test pane or a caller may pass the JSON itself.</summary>
        public static string BodyOf(object webhookData)
        {
            object data = webhookData is PSObject pso ? pso.BaseObject : webhookData;
            object? body = data switch
            {
                string text => CommonAlert.UnwrapWebhookData(text),
                IDictionary dictionary => dictionary["RequestBody"],
                _ => PSObject.AsPSObject(webhookData).Properties["RequestBody"]?.Value,
            };

            if (body is PSObject wrapped)
            {
                body = wrapped.BaseObject;
            }

            return body as string ?? throw new FormatException("-WebhookData has no RequestBody: pass the $WebhookData the runbook was started with.");
        }
    }
}
