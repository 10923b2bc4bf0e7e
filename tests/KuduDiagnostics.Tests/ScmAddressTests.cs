using System;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public class ScmAddressTests
    {
        [Theory]
        [InlineData("contoso", null, "https://contoso.scm.azurewebsites.net/")]
        [InlineData("Contoso-Func", "staging", "https://contoso-func-staging.scm.azurewebsites.net/")]
        public void Name_and_slot_give_the_scm_host(string name, string? slot, string expected)
        {
            Assert.Equal(new Uri(expected), ScmAddress.FromName(name, slot, AzureCloud.Public));
        }

        [Fact]
        public void Sovereign_clouds_have_their_own_scm_suffix()
        {
            Assert.Equal("contoso.scm.azurewebsites.us", ScmAddress.FromName("contoso", null, AzureCloud.USGovernment).Host);
            Assert.Equal("contoso.scm.chinacloudsites.cn", ScmAddress.FromName("contoso", null, AzureCloud.China).Host);
        }

        [Theory]
        [InlineData("contoso.scm.azurewebsites.net")]
        [InlineData("-bad")]
        [InlineData("has space")]
        public void Names_that_are_not_site_names_are_refused(string name)
        {
            Assert.Equal(AdviceKey.UseScmUri, Assert.Throws<KuduArgumentException>(() => ScmAddress.FromName(name, null, AzureCloud.Public)).Advice!.Key);
        }

        [Theory]
        [InlineData("contoso.scm.azurewebsites.net", "https://contoso.scm.azurewebsites.net/")]
        [InlineData("https://contoso.scm.azurewebsites.net", "https://contoso.scm.azurewebsites.net/")]
        [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000/")]
        [InlineData("http://localhost:5000/kudu", "http://localhost:5000/kudu/")]
        public void Scm_uris_are_normalised(string text, string expected)
        {
            Assert.Equal(new Uri(expected), ScmAddress.Parse(text));
        }

        [Theory]
        [InlineData("https://user:pw@contoso.scm.azurewebsites.net")]
        [InlineData("https://contoso.scm.azurewebsites.net/?code=x")]
        [InlineData("ftp://contoso")]
        public void Scm_uris_with_secrets_or_other_schemes_are_refused(string text)
        {
            Assert.ThrowsAny<ArgumentException>(() => ScmAddress.Parse(text));
        }

        [Fact]
        public void Http_to_a_remote_host_is_refused_unless_allowed()
        {
            var ex = Assert.Throws<KuduException>(() => ScmAddress.EnsureEncryptedOrLoopback(new Uri("http://contoso.scm.azurewebsites.net/"), allowUnencrypted: false));
            Assert.Equal(KuduErrorKind.UnencryptedConnection, ex.Kind);

            ScmAddress.EnsureEncryptedOrLoopback(new Uri("http://contoso.scm.azurewebsites.net/"), allowUnencrypted: true);
            ScmAddress.EnsureEncryptedOrLoopback(new Uri("http://127.0.0.1:5000/"), allowUnencrypted: false);
            ScmAddress.EnsureEncryptedOrLoopback(new Uri("http://[::1]:5000/"), allowUnencrypted: false);
            ScmAddress.EnsureEncryptedOrLoopback(new Uri("https://contoso.scm.azurewebsites.net/"), allowUnencrypted: false);
        }

        [Theory]
        [InlineData("contoso.scm.azurewebsites.net", "https://contoso.scm.azurewebsites.net/")]
        [InlineData("127.0.0.1:41234", "http://127.0.0.1:41234/")]
        [InlineData("localhost:8080", "http://localhost:8080/")]
        public void Arm_hosts_use_https_except_loopback(string host, string expected)
        {
            Assert.Equal(new Uri(expected), ScmAddress.FromArmHost(host));
        }

        [Theory]
        [InlineData("https://acct.blob.core.windows.net/c/b.dmp?sv=2024&sig=abc%2Bdef&se=2026", "https://acct.blob.core.windows.net/c/b.dmp?sv=2024&sig=REDACTED&se=2026")]
        [InlineData("https://h/api/processes", "https://h/api/processes")]
        public void Printed_uris_hide_signatures(string uri, string expected)
        {
            Assert.Equal(expected, RedactedUri.Of(new Uri(uri)));
        }

        [Theory]
        [InlineData("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/sites/contoso", "contoso", null)]
        [InlineData("/subscriptions/s1/resourcegroups/rg/providers/microsoft.web/sites/contoso/slots/staging", "contoso", "staging")]
        public void Site_resource_ids_parse(string id, string site, string? slot)
        {
            SiteResourceId parsed = SiteResourceId.Parse(id);
            Assert.Equal(site, parsed.Site);
            Assert.Equal(slot, parsed.Slot);
            Assert.Equal("rg", parsed.ResourceGroup);
        }

        [Theory]
        [InlineData("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct")]
        [InlineData("contoso")]
        [InlineData("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan")]
        public void Other_resource_ids_are_refused(string id)
        {
            var ex = Assert.Throws<KuduException>(() => SiteResourceId.Parse(id));
            Assert.Equal(KuduErrorKind.InvalidResourceId, ex.Kind);
        }
    }
}
