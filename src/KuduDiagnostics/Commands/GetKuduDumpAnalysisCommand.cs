using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using KuduDiagnostics.Analysis;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The first triage of a .NET dump where it lands: the types that fill the managed heap, what each managed
    /// thread runs, the exception in flight. Files are read with ClrMD and the dump's own runtime's DAC; one file
    /// that cannot be analysed is an error for that file, and the next one goes on.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "KuduDumpAnalysis", DefaultParameterSetName = ResultSet)]
    [OutputType(typeof(KuduDumpAnalysis))]
    public sealed class GetKuduDumpAnalysisCommand : KuduCmdlet
    {
        private const string PathSet = "Path";
        private const string ResultSet = "DumpResult";
        private DumpAnalysisOptions? _options;

        /// <summary>Dump files; binds from the FullName of Get-ChildItem's files. Taken literally (no wildcards).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "LiteralPath")]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>A Save-KuduProcessDump or Invoke-FunctionAppDump result: its file, site, instance and process.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ResultSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public KuduDumpResult? DumpResult { get; set; }

        /// <summary>How many types to list, biggest first.</summary>
        [Parameter]
        [ValidateRange(0, 100000)]
        public int Top { get; set; } = 20;

        /// <summary>How many managed frames to list per thread, innermost first.</summary>
        [Parameter]
        [ValidateRange(0, 1000)]
        public int Frames { get; set; } = 8;

        /// <summary>The DAC (libmscordaccore.so, mscordaccore.dll) of the dump's runtime, or the runtime folder that holds it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DacPath { get; set; }

        /// <summary>Symbol folders (dotnet-symbol's layout, or a runtime folder); on Windows also srv* paths for ClrMD.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? SymbolPath { get; set; }

        internal override void Begin()
        {
            _options = new DumpAnalysisOptions
            {
                Top = Top,
                Frames = Frames,
                DacPath = DacPath == null ? null : GetUnresolvedProviderPathFromPSPath(DacPath),
                SymbolPaths = SymbolPath?.Select(p => p.IndexOf('*') >= 0 || p.StartsWith("http", System.StringComparison.OrdinalIgnoreCase) ? p : GetUnresolvedProviderPathFromPSPath(p)).ToArray(),
            };
        }

        internal override void Process()
        {
            if (DumpResult != null)
            {
                if (DumpResult.Path == null)
                {
                    WriteError(AnalysisErrors.Record(AnalysisFile.NotOnDisk(DumpResult), DumpResult));
                    return;
                }

                AnalyzeOne(DumpResult.Path, DumpResult, DumpResult);
                return;
            }

            foreach (string path in Path!)
            {
                AnalyzeOne(GetUnresolvedProviderPathFromPSPath(path), null, path);
            }
        }

        private void AnalyzeOne(string file, KuduDumpResult? source, object target)
        {
            KuduDumpAnalysis analysis;
            try
            {
                analysis = Run(ct => Task.FromResult(DumpAnalyzer.Analyze(file, _options!, source, Trace, ct)));
            }
            catch (DumpAnalysisException ex)
            {
                WriteError(AnalysisErrors.Record(ex, target));
                return;
            }

            if (!analysis.HeapInDump)
            {
                WriteWarning(AnalysisErrors.NoHeapWarning(analysis));
            }

            WriteObject(analysis);
        }
    }
}
