using System.Management.Automation;

namespace KuduDiagnostics.Commands
{
    /// <summary>ErrorRecords for dumps that cannot be analysed. The ErrorIds are public API: scripts and tests match on them.</summary>
    internal static class AnalysisErrors
    {
        public static ErrorRecord Record(DumpAnalysisException exception, object? target)
        {
            (string id, ErrorCategory category) = Classify(exception.Kind);
            return new ErrorRecord(Advice.Apply(exception), id, category, target ?? exception.Path);
        }

        /// <summary>The warning for a dump without its managed heap; the analysis still carries its threads.</summary>
        public static string NoHeapWarning(KuduDumpAnalysis analysis) =>
            $"{analysis.Path} holds no managed heap (a Mini or Triage dump): its threads and exceptions are listed, but no types. Take a Heap dump (-DumpType Heap) to see what fills the heap.";

        private static (string, ErrorCategory) Classify(DumpAnalysisErrorKind kind)
        {
            switch (kind)
            {
                case DumpAnalysisErrorKind.FileNotFound: return ("DumpAnalysisFileNotFound", ErrorCategory.ObjectNotFound);
                case DumpAnalysisErrorKind.PartialFile: return ("DumpAnalysisPartialFile", ErrorCategory.InvalidData);
                case DumpAnalysisErrorKind.NotADump: return ("DumpAnalysisNotADump", ErrorCategory.InvalidData);
                case DumpAnalysisErrorKind.ZipArchive: return ("DumpAnalysisZipArchive", ErrorCategory.InvalidData);
                case DumpAnalysisErrorKind.Truncated: return ("DumpAnalysisTruncated", ErrorCategory.InvalidData);
                case DumpAnalysisErrorKind.WrongPlatform: return ("DumpAnalysisWrongPlatform", ErrorCategory.NotImplemented);
                case DumpAnalysisErrorKind.NoRuntime: return ("DumpAnalysisNoRuntime", ErrorCategory.InvalidData);
                case DumpAnalysisErrorKind.DacNotFound: return ("DumpAnalysisDacNotFound", ErrorCategory.ObjectNotFound);
                case DumpAnalysisErrorKind.DacMismatch: return ("DumpAnalysisDacMismatch", ErrorCategory.InvalidArgument);
                case DumpAnalysisErrorKind.NotOnDisk: return ("DumpAnalysisNotOnDisk", ErrorCategory.InvalidArgument);
                default: return ("DumpAnalysisUnreadable", ErrorCategory.ReadError);
            }
        }
    }
}
