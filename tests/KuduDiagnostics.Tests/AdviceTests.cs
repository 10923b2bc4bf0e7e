using System;
using System.IO;
using KuduDiagnostics.Analysis;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Commands;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using KuduDiagnostics.Watch;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// The core's facts, phrased by Commands/Advice.cs, read word for word as they did when the core wrote the advice
    /// itself; the core alone says the fact and names the key.
    /// </summary>
    public sealed class AdviceTests
    {
        [Fact]
        public void A_site_name_that_is_no_site_name_points_to_ScmUri()
        {
            var ex = Assert.Throws<KuduArgumentException>(() => ScmAddress.FromName("no_such site", null, AzureCloud.Public));

            Assert.Equal("'no_such site' is not an App Service site name (letters, digits and hyphens).", ex.Fact);
            Assert.Equal(AdviceKey.UseScmUri, ex.Advice!.Key);
            Assert.Equal("'no_such site' is not an App Service site name (letters, digits and hyphens). To connect to a full SCM address, use -ScmUri.", Advice.Apply(ex).Message);
        }

        [Fact]
        public void Clear_text_credentials_point_to_AllowUnencryptedAuthentication()
        {
            var ex = Assert.Throws<KuduException>(() => ScmAddress.EnsureEncryptedOrLoopback(new Uri("http://contoso.scm.example/"), false));

            Assert.Equal("Refusing to send credentials to contoso.scm.example over unencrypted http. Use https, or add -AllowUnencryptedAuthentication if this network path is trusted.", Advice.Apply(ex).Message);
        }

        [Fact]
        public void An_unknown_cloud_and_a_resource_id_that_is_no_site_name_what_to_give()
        {
            var cloud = Assert.Throws<KuduArgumentException>(() => AzureCloud.FromName("Mars"));
            var id = Assert.Throws<KuduException>(() => SiteResourceId.Parse("/subscriptions/x"));

            Assert.Equal("'Mars' is not a known Azure environment: use AzureCloud, AzureUSGovernment or AzureChinaCloud (or -ResourceManagerUrl for Azure Stack Hub).", Advice.Apply(cloud).Message);
            Assert.Equal("'/subscriptions/x' is not the resource id of an App Service or Functions site. It should look like /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Web/sites/<name>[/slots/<slot>] (the Id property of Get-AzWebApp or Get-AzFunctionApp).", Advice.Apply(id).Message);
        }

        [Fact]
        public void Refused_credentials_name_the_token_parameters()
        {
            KuduException ex = WindowsKuduErrors.AccessError("contoso.scm.example", 401, null, new Uri("https://contoso.scm.example/api/processes"));

            Assert.DoesNotContain("-AccessToken", ex.Message, StringComparison.Ordinal);
            Assert.Equal("contoso.scm.example refused the credentials (401 Unauthorized). The user name or password may be wrong, or SCM basic authentication may be disabled on the site (it is by default on new apps): use an Entra ID token (-AccessToken or -UseAzureIdentity) or enable basic publishing credentials for SCM.", Advice.Apply(ex).Message);
        }

        [Fact]
        public void A_full_disk_keeps_its_advice_before_the_cleanup_note()
        {
            DumpDestinationException ex = FileDumpSink.FromIOException(new IOException("No space left on device"), "/dumps/a.dmp", "Writing '/dumps/a.dmp'");

            Assert.Equal("Writing '/dumps/a.dmp': the disk is full (No space left on device); the partial dump was removed.", ex.Fact);
            Assert.Equal("Writing '/dumps/a.dmp': the disk is full (No space left on device). Free space, or choose another folder with -Path; the partial dump was removed.", Advice.Apply(ex).Message);
        }

        [Fact]
        public void A_zip_or_a_blob_is_not_analysed_and_says_what_to_do()
        {
            byte[] zip = { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0 };
            var ex = Assert.Throws<DumpAnalysisException>(() => DumpFileCheck.FormatOf(zip, zip.Length, "d.zip"));
            var blob = AnalysisFile.NotOnDisk(new KuduDumpResult { ProcessName = "w3wp", ProcessId = 42, SiteName = "contoso", BlobUri = new Uri("https://acct.blob.core.windows.net/dumps/d.dmp") });

            Assert.Equal("'d.zip' is a zip (Save-KuduProcessDump -Format Zip: the dump with its debugging files). Extract the .dmp from it and analyse that.", Advice.Apply(ex).Message);
            Assert.Equal("The dump of w3wp (42) on contoso is in blob storage (https://acct.blob.core.windows.net/dumps/d.dmp): download it first (Azure Storage Explorer, azcopy or Get-AzStorageBlobContent) and analyse the file. Nothing is downloaded for you: a dump can be larger than the sandbox's disk.", Advice.Apply(blob).Message);
        }

        [Fact]
        public void Invoke_FunctionAppDump_Analyze_which_takes_no_DacPath_sends_the_user_to_Get_KuduDumpAnalysis()
        {
            const string Fact = "The DAC of the dump's .NET 8.0.11 (libmscordaccore.so) was not found: not beside /usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.11/libcoreclr.so on this machine (absent, or another build), nor in a symbol folder. " +
                "Give the libmscordaccore.so of .NET 8.0.11 (or the runtime folder that holds it), or a symbol folder or server.";
            DumpAnalysisException Missing() => new DumpAnalysisException(DumpAnalysisErrorKind.DacNotFound, Fact, "d.core", advice: AdviceKey.DacOrSymbols);

            Assert.EndsWith("Give the libmscordaccore.so of .NET 8.0.11 (or the runtime folder that holds it) with -DacPath, or a symbol folder or server with -SymbolPath.", Advice.Apply(Missing()).Message);
            Assert.EndsWith("Give the libmscordaccore.so of .NET 8.0.11 (or the runtime folder that holds it) to Get-KuduDumpAnalysis -DacPath, or a symbol folder or server to -SymbolPath.", Advice.ApplyAfterDump(Missing()).Message);
        }

        [Fact]
        public void Watch_options_are_refused_in_the_parameters_words()
        {
            KuduArgumentException ex = new WatchOptions { Triggers = new WatchTriggers { PrivateMemoryAbove = 1 }, Interval = TimeSpan.FromMilliseconds(10) }.Problem()!;

            Assert.Equal("-Interval must be at least 1 second: each sample asks Kudu for every watched process's details.", Advice.Apply(ex).Message);
        }

        [Fact]
        public void Advice_is_phrased_once_and_the_target_still_leads()
        {
            var ex = new DumpDestinationException(DumpDestinationErrorKind.TargetExists, "The blob 'x' already exists. (request id 7)", "x", advice: new KuduAdvice(AdviceKey.UseForce, " (request id 7)"));

            Advice.Apply(ex);
            Advice.Apply(ex);

            Assert.Equal("The blob 'x' already exists. Use -Force to overwrite it. (request id 7)", ex.Message);
            Assert.Equal("it is the SCM (Kudu) site's own worker, which serves the dumps (a dump freezes it); add -IncludeScmSite to dump it too", Advice.ScmSiteSkipped);
        }
    }
}
