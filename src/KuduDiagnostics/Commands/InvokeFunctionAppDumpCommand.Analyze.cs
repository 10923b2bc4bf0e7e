using System;
using System.Management.Automation;
using KuduDiagnostics.Analysis;

namespace KuduDiagnostics.Commands
{
    /// <summary>Invoke-FunctionAppDump -Analyze: each dump saved to disk is analysed, written beside it as .analysis.json and output.</summary>
    public sealed partial class InvokeFunctionAppDumpCommand
    {
        /// <summary>Analyses each dump saved (as Get-KuduDumpAnalysis does) and writes the result beside it as &lt;dump&gt;.analysis.json. Only in the -Path sets: nothing is downloaded from blob storage.</summary>
        [Parameter(ParameterSetName = SessionSet), Parameter(ParameterSetName = ResourceIdSet), Parameter(ParameterSetName = PublishSettingsSet), Parameter(ParameterSetName = WebhookSet)]
        [Parameter(ParameterSetName = CredentialSet), Parameter(ParameterSetName = TokenSet), Parameter(ParameterSetName = IdentitySet)]
        public SwitchParameter Analyze { get; set; }

        /// <summary>
        /// Called on the run's thread right after a dump is stored, so the site's next dump waits for it (the process
        /// is not frozen meanwhile). The analysis is not a dump failure: an error here leaves the dump counted as saved.
        /// </summary>
        internal void AfterDump(KuduDumpResult result)
        {
            if (!Analyze.IsPresent)
            {
                return;
            }

            try
            {
                KuduDumpAnalysis analysis = AnalysisFile.AnalyzeBeside(result, new DumpAnalysisOptions(), Trace, CancellationToken);
                Trace.Verbose($"Analysis of {result.Path} written to {AnalysisFile.PathFor(result.Path!)}.");
                Bridge.Post(() =>
                {
                    if (!analysis.HeapInDump)
                    {
                        WriteWarning(AnalysisErrors.NoHeapWarning(analysis));
                    }

                    WriteObject(analysis);
                });
            }
            catch (DumpAnalysisException ex)
            {
                Bridge.Post(() => WriteError(AnalysisErrors.Record(Advice.ApplyAfterDump(ex), result)));
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                // The .analysis.json could not be written (disk full, permissions): the dump itself is fine.
                Bridge.Post(() => WriteError(KuduErrors.Record(ex, "DumpAnalysisWriteFailed", ErrorCategory.WriteError, result)));
            }
        }
    }
}
