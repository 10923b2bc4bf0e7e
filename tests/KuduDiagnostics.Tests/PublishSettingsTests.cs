using System;
using KuduDiagnostics.Session;
using Xunit;

namespace KuduDiagnostics.Tests
{
    public class PublishSettingsTests
    {
        private const string Secret = "Zq9pW2xT7vK4mN8rB3cJ6hF1dS5aL0eY";

        // The shape the portal's "Download publish profile" produces.
        private static readonly string Profile = $"""
            <publishData>
              <publishProfile profileName="contoso - Web Deploy" publishMethod="MSDeploy" publishUrl="contoso.scm.azurewebsites.net:443" msdeploySite="contoso" userName="$contoso" userPWD="{Secret}" destinationAppUrl="http://contoso.azurewebsites.net" SQLServerDBConnectionString="" mySQLDBConnectionString="" hostingProviderForumLink="" controlPanelLink="https://portal.azure.com" webSystem="WebSites"><databases /></publishProfile>
              <publishProfile profileName="contoso - FTP" publishMethod="FTP" publishUrl="ftps://waws-prod-am2-123.ftp.azurewebsites.windows.net/site/wwwroot" ftpPassiveMode="True" userName="contoso\$contoso" userPWD="{Secret}" destinationAppUrl="http://contoso.azurewebsites.net" />
              <publishProfile profileName="contoso - Zip Deploy" publishMethod="ZipDeploy" publishUrl="contoso.scm.azurewebsites.net:443" userName="$contoso" userPWD="{Secret}" destinationAppUrl="http://contoso.azurewebsites.net" />
            </publishData>
            """;

        [Fact]
        public void Web_Deploy_profile_gives_host_and_credentials()
        {
            PublishSettings s = PublishSettings.Parse(Profile, "contoso.PublishSettings");

            Assert.Equal("contoso", s.SiteName);
            Assert.Equal(new Uri("https://contoso.scm.azurewebsites.net/"), s.ScmUri);
            Assert.Equal("$contoso", s.UserName);
            Assert.Equal(Secret, s.Password);
        }

        [Fact]
        public void Zip_Deploy_profile_is_used_when_there_is_no_Web_Deploy_one()
        {
            string xml = """<publishData><publishProfile profileName="x - Zip Deploy" publishMethod="ZipDeploy" publishUrl="x-abc123.scm.westeurope-01.azurewebsites.net:443" userName="$x" userPWD="p" /></publishData>""";
            PublishSettings s = PublishSettings.Parse(xml, "x");

            Assert.Equal("x-abc123", s.SiteName);
            Assert.Equal("x-abc123.scm.westeurope-01.azurewebsites.net", s.ScmUri.Host);
        }

        [Theory]
        [InlineData("<publishData><publishProfile publishMethod=\"MSDeploy\" userPWD=\"" + Secret + "\"")]
        [InlineData("<notPublishData />")]
        [InlineData("<publishData><publishProfile profileName=\"ftp\" publishMethod=\"FTP\" userPWD=\"" + Secret + "\" /></publishData>")]
        [InlineData("<publishData><publishProfile profileName=\"w\" publishMethod=\"MSDeploy\" publishUrl=\"x.scm.azurewebsites.net:443\" userPWD=\"" + Secret + "\" /></publishData>")]
        [InlineData("plain text, not XML " + Secret)]
        public void Malformed_files_fail_clearly_without_showing_the_password(string xml)
        {
            var ex = Assert.Throws<PublishSettingsException>(() => PublishSettings.Parse(xml, "bad.PublishSettings"));

            Assert.Contains("bad.PublishSettings", ex.Message);
            Assert.DoesNotContain(Secret, ex.Message);
            Assert.DoesNotContain(Secret, ex.ToString());
        }

        [Fact]
        public void Document_type_definitions_are_refused()
        {
            string xml = """<?xml version="1.0"?><!DOCTYPE publishData [<!ENTITY x SYSTEM "file:///etc/passwd">]><publishData>&x;</publishData>""";
            Assert.Throws<PublishSettingsException>(() => PublishSettings.Parse(xml, "evil"));
        }
    }
}
