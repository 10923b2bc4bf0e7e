using System;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The one place that says which cmdlet or parameter a user should reach for. The core states facts and names an
    /// <see cref="AdviceKey"/>; these words join the fact where the ErrorRecords and the trace are made, so a user
    /// reads one whole message (and $_.Exception.Message carries it).
    /// </summary>
    internal static class Advice
    {
        /// <summary>What Get-KuduProcessDetail shows for an environment value it did not ask for.</summary>
        public const string RedactedValue = "<redacted: use -IncludeEnvironment>";

        /// <summary>Why Save-KuduProcessDump and Invoke-FunctionAppDump leave the SCM site's worker out.</summary>
        public static string ScmSiteSkipped => Phrase(DumpCandidate.ScmSiteReason, AdviceKey.IncludeScmSiteToDump);

        /// <summary>Phrases an exception's advice into its message, once; returns the exception.</summary>
        public static T Apply<T>(T exception)
            where T : Exception
        {
            if (exception is IAdvisedException advised && advised.Advice != null)
            {
                advised.Phrase(Phrase(advised.Fact, advised.Advice));
            }

            return exception;
        }

        /// <summary>
        /// Invoke-FunctionAppDump -Analyze takes no -DacPath or -SymbolPath: its analysis errors send the user to
        /// Get-KuduDumpAnalysis, which does.
        /// </summary>
        public static DumpAnalysisException ApplyAfterDump(DumpAnalysisException exception)
        {
            string fact = exception.Fact;
            string? phrased = exception.Advice?.Key switch
            {
                AdviceKey.DacOrSymbols => Continue(Before(fact, ", or a symbol folder or server", " to Get-KuduDumpAnalysis -DacPath"), " to -SymbolPath."),
                AdviceKey.DacPathForLinuxDump => Continue(fact, " or its DAC given to Get-KuduDumpAnalysis -DacPath."),
                _ => null,
            };
            if (phrased == null)
            {
                return Apply(exception);
            }

            ((IAdvisedException)exception).Phrase(phrased);
            return exception;
        }

        /// <summary>The fact with its advice in words. Lines of the trace that end with a failure's message pass here too.</summary>
        public static string Phrase(string fact, KuduAdvice? advice)
        {
            switch (advice?.Key)
            {
                // Sessions and sign-in
                case AdviceKey.NoAuthentication: return Continue(fact, ": use -Credential, -PublishSettingsPath, -AccessToken or -UseAzureIdentity.");
                case AdviceKey.NoSite: return Continue(fact, ": use -Name, -ScmUri, -PublishSettingsPath or -ResourceId.");
                case AdviceKey.ResourceIdNeedsAzureIdentity: return "-ResourceId reads the site from Azure Resource Manager, which needs -UseAzureIdentity.";
                case AdviceKey.UseScmUri: return Then(fact, "To connect to a full SCM address, use -ScmUri.");
                case AdviceKey.CredentialsAsParameters: return Continue(fact, "; pass credentials with -Credential or -AccessToken.");
                case AdviceKey.AllowUnencrypted: return Then(fact, "Use https, or add -AllowUnencryptedAuthentication if this network path is trusted.");
                case AdviceKey.UnknownEnvironment: return Continue(fact, " (or -ResourceManagerUrl for Azure Stack Hub).");
                case AdviceKey.EntraTokenOrBasicAuthentication: return Continue(fact, ": use an Entra ID token (-AccessToken or -UseAzureIdentity) or enable basic publishing credentials for SCM.");
                case AdviceKey.SignInToEntra: return Then(fact, "In Azure Automation or App Service, turn on the managed identity (and pass -ManagedIdentityClientId for a user-assigned one); elsewhere sign in with 'az login' or Connect-AzAccount.");
                case AdviceKey.NewSessionIfCredentialsChanged: return Then(fact, "If the site's credentials changed since this session was made, create a new one with New-KuduSession.");
                case AdviceKey.ResourceIdOfSite: return Continue(fact, " (the Id property of Get-AzWebApp or Get-AzFunctionApp).");
                case AdviceKey.PassSiteResourceId: return Continue(fact, ": pass the site with -ResourceId, and the alert still picks the instance.");
                case AdviceKey.RaiseTimeout: return Continue(Before(fact, ": the request was abandoned", " (the session's -TimeoutSec)"), ", or raise -TimeoutSec where the session is made (New-KuduSession, or Invoke-FunctionAppDump without -Session).");

                // Instances and processes
                case AdviceKey.InstancesNeedResourceManager: return Continue(fact, ": create the session with -ResourceId and -UseAzureIdentity, or name the instances with -Instance (their ARRAffinity values).");
                case AdviceKey.ListInstances: return Then(fact, "List the current instances with Get-KuduInstance or Get-KuduProcess -AllInstances.");
                case AdviceKey.InstancesListed: return Then(fact, "Get-KuduInstance lists them.");
                case AdviceKey.InstancesPartlyKnown: return Then(fact, "Use an id shown by Get-KuduProcess in this session, a full instance id, or a session made with -ResourceId and -UseAzureIdentity.");
                case AdviceKey.ProcessOnAnotherInstance: return Continue(fact, " (Get-KuduProcess -AllInstances lists every instance's processes).");
                case AdviceKey.RestartLinuxApp: return Then(fact, "Restart the app instead (az webapp restart, or Restart-AzWebApp): the container restarts with it.");

                // Dump kinds and sizes
                case AdviceKey.CustomMaskParameter: return "Use -DumpTypeMask to ask for a custom MINIDUMP_TYPE mask.";
                case AdviceKey.WindowsDumpTypes: return Continue(fact, ": take -DumpType Mini (stacks and modules), Heap or Full. Triage dumps are dotnet-monitor's, on Linux apps.");
                case AdviceKey.LinuxDumpTypes: return "-DumpTypeMask is a Windows MINIDUMP_TYPE mask; dotnet-monitor on Linux takes -DumpType Mini, Heap, Full or Triage.";
                case AdviceKey.LinuxFormat: return "dotnet-monitor sends the core file itself; -Format Zip (the dump with SOS) exists on Windows only. Leave -Format out.";
                case AdviceKey.SmallerWindowsDump: return Then(fact, "Ask for a smaller dump (-DumpType Mini or Heap).");
                case AdviceKey.SmallerWindowsDumpOrLessMemory: return Continue(fact, ": ask for a smaller dump (-DumpType Mini or Heap), or try when the process uses less memory.");
                case AdviceKey.SmallerLinuxDump: return Continue(fact, ": ask for a smaller dump (-DumpType Mini, or Triage).");
                case AdviceKey.SmallerLinuxDumpOrLessMemory: return Continue(fact, ": ask for a smaller dump (-DumpType Mini, or Triage), or try when the process uses less memory.");

                // Destinations (a value, where given, is the request id that ends the fact)
                case AdviceKey.UseForce: return Before(fact, advice.Value(0), " Use -Force to overwrite it.");
                case AdviceKey.CreateContainer: return Before(fact, advice.Value(0), " Create it, or add -CreateContainer.");
                case AdviceKey.PathIsFile: return "-Path " + fact;
                case AdviceKey.WritableFolder: return Then(fact, "Choose a folder you can write to with -Path.");
                case AdviceKey.FreeSpace: return Before(fact, "; the partial dump was removed", ". Free space, or choose another folder with -Path");
                case AdviceKey.ContainerName: return "-ConnectionString needs -Container, the name of the blob container.";
                case AdviceKey.BlobPrefix: return Continue(fact, "; use -BlobPrefix for a folder inside it.");
                case AdviceKey.BlobCredential: return Then(fact, "Add a SAS with create and write permissions (sp=cw), use -ConnectionString, or create the session with -UseAzureIdentity.");

                // Selection, watching and analysis
                case AdviceKey.AllInstances: return Continue(fact, " (use -AllInstances for every instance).");
                case AdviceKey.IncludeScmSiteToDump: return fact + "; add -IncludeScmSite to dump it too";
                case AdviceKey.IncludeScmSiteToWatch: return Continue(fact, " (add -IncludeScmSite to watch it too).");
                case AdviceKey.OtherInstances: return Continue(fact, " (use -Instance or -AllInstances for others).");
                case AdviceKey.CpuTrigger: return Continue(fact, " and -CpuAbove cannot fire.");
                case AdviceKey.WatchTrigger: return "Give at least one trigger: -PrivateMemoryAbove, -WorkingSetAbove, -CpuAbove, -ThreadCountAbove or -HandleCountAbove.";
                case AdviceKey.WatchInterval: return $"-Interval must be at least {advice.Value(0)} second: each sample asks Kudu for every watched process's details.";
                case AdviceKey.WatchDurations: return "-For and -Cooldown cannot be negative, and -Timeout must be positive.";
                case AdviceKey.WatchCount: return "-Count must be at least 1.";
                case AdviceKey.DacPathForLinuxDump: return Continue(fact, " or its DAC given by -DacPath.");
                case AdviceKey.GivenDacPath: return "-DacPath: " + char.ToLowerInvariant(fact[0]) + fact.Substring(1);
                case AdviceKey.DacOrSymbols: return Continue(Before(fact, ", or a symbol folder or server", " with -DacPath"), " with -SymbolPath.");
                case AdviceKey.ZipFormat: return Before(fact, "the dump with its debugging files)", "Save-KuduProcessDump -Format Zip: ");
                case AdviceKey.DownloadBlob: return Before(fact, " and analyse the file", " (Azure Storage Explorer, azcopy or Get-AzStorageBlobContent)");
                default: return fact;
            }
        }

        /// <summary>A sentence of advice after the fact.</summary>
        private static string Then(string fact, string advice) => fact + " " + advice;

        /// <summary>The fact's last sentence goes on with the advice (its full stop is the advice's).</summary>
        private static string Continue(string fact, string advice) =>
            (fact.EndsWith(".", StringComparison.Ordinal) ? fact.Substring(0, fact.Length - 1) : fact) + advice;

        /// <summary>The advice put in before the last <paramref name="mark"/> of the fact; at its end when the mark is empty or absent.</summary>
        private static string Before(string fact, string mark, string advice)
        {
            int at = mark.Length == 0 ? -1 : fact.LastIndexOf(mark, StringComparison.Ordinal);
            return at < 0 ? fact + advice : fact.Insert(at, advice);
        }
    }
}
