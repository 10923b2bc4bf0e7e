using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Analysis
{
    /// <summary>
    /// The runbook's step after a dump (Invoke-FunctionAppDump -Analyze): analyse the file just saved and write the
    /// result beside it as &lt;dump&gt;.analysis.json, so the triage travels with the dump.
    /// </summary>
    internal static class AnalysisFile
    {
        // One analysis at a time per process: each maps the dump and holds ClrMD's caches (tens of MiB), and an
        // Automation sandbox has 400 MB for everything, however many sites are dumped in parallel.
        private static readonly SemaphoreSlim s_oneAtATime = new SemaphoreSlim(1, 1);

        private static readonly JsonSerializerOptions s_json = new JsonSerializerOptions { WriteIndented = true };

        public static string PathFor(string dumpPath) => Path.ChangeExtension(dumpPath, ".analysis.json");

        /// <summary>A dump stored in blob storage is not analysed: nothing is downloaded behind the user's back.</summary>
        public static DumpAnalysisException NotOnDisk(KuduDumpResult result) =>
            new DumpAnalysisException(DumpAnalysisErrorKind.NotOnDisk,
                $"The dump of {result.ProcessName} ({result.ProcessId}) on {result.SiteName} is in blob storage ({result.BlobUri}): download it first and analyse the file. Nothing is downloaded for you: a dump can be larger than the sandbox's disk.",
                result.BlobUri?.ToString(), advice: AdviceKey.DownloadBlob);

        public static KuduDumpAnalysis AnalyzeBeside(KuduDumpResult result, DumpAnalysisOptions options, IKuduTrace trace, CancellationToken cancellationToken) =>
            AnalyzeBeside(result.Path ?? throw NotOnDisk(result), result, options, trace, cancellationToken);

        public static KuduDumpAnalysis AnalyzeBeside(string dumpPath, KuduDumpResult? source, DumpAnalysisOptions options, IKuduTrace trace, CancellationToken cancellationToken)
        {
            KuduDumpAnalysis analysis;
            s_oneAtATime.Wait(cancellationToken);
            try
            {
                analysis = DumpAnalyzer.Analyze(dumpPath, options, source, trace, cancellationToken);
            }
            finally
            {
                s_oneAtATime.Release();
            }

            Write(analysis, PathFor(dumpPath));
            return analysis;
        }

        /// <summary>Written to a temporary name and then renamed: a reader never sees half a file.</summary>
        public static void Write(KuduDumpAnalysis analysis, string path)
        {
            string temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(analysis, s_json));
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            File.Move(temp, path);
        }
    }
}
