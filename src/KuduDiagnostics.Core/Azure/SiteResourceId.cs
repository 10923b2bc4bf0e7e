using System;
using System.Text.RegularExpressions;

namespace KuduDiagnostics.AzurePlatform
{
    /// <summary>A parsed App Service site (or slot) resource id.</summary>
    internal sealed class SiteResourceId
    {
        private static readonly Regex Pattern = new Regex(
            "^/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[^/]+)/providers/Microsoft\\.Web/sites/(?<site>[^/]+)(/slots/(?<slot>[^/]+))?/?$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private SiteResourceId(string id, string subscription, string resourceGroup, string site, string? slot)
        {
            Id = id;
            Subscription = subscription;
            ResourceGroup = resourceGroup;
            Site = site;
            Slot = slot;
        }

        public string Id { get; }
        public string Subscription { get; }
        public string ResourceGroup { get; }
        public string Site { get; }
        public string? Slot { get; }

        public static bool TryParse(string? text, out SiteResourceId? id)
        {
            id = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            Match m = Pattern.Match(text!.Trim());
            if (!m.Success)
            {
                return false;
            }

            string slot = m.Groups["slot"].Value;
            id = new SiteResourceId(text.Trim().TrimEnd('/'), m.Groups["sub"].Value, m.Groups["rg"].Value, m.Groups["site"].Value, slot.Length == 0 ? null : slot);
            return true;
        }

        public static SiteResourceId Parse(string text) => TryParse(text, out SiteResourceId? id)
            ? id!
            : throw new KuduException(KuduErrorKind.InvalidResourceId,
                $"'{text}' is not the resource id of an App Service or Functions site. It should look like /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Web/sites/<name>[/slots/<slot>].", advice: AdviceKey.ResourceIdOfSite);

        public override string ToString() => Id;
    }
}
