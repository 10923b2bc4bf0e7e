using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using KuduDiagnostics.Http;
using Microsoft.Diagnostics.Runtime;

namespace KuduDiagnostics.Analysis
{
    internal sealed class DumpAnalysisOptions
    {
        /// <summary>How many types to keep, biggest first.</summary>
        public int Top { get; set; } = 20;

        /// <summary>How many managed frames to keep per thread.</summary>
        public int Frames { get; set; } = 8;

        /// <summary>-DacPath: the DAC file or its folder.</summary>
        public string? DacPath { get; set; }

        /// <summary>-SymbolPath: local folders, and on Windows any symbol path ClrMD understands (srv*...).</summary>
        public IReadOnlyList<string>? SymbolPaths { get; set; }
    }

    /// <summary>
    /// Opens a dump with ClrMD (Microsoft.Diagnostics.Runtime) and makes a <see cref="KuduDumpAnalysis"/>: the
    /// runtime, the heap by generation and by type, the threads. Anything that stops it is a
    /// <see cref="DumpAnalysisException"/> that says what to do. Synchronous and CPU-bound; honours cancellation.
    /// </summary>
    internal static class DumpAnalyzer
    {
        public static KuduDumpAnalysis Analyze(string path, DumpAnalysisOptions options, KuduDumpResult? source, IKuduTrace trace, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                DumpFileCheck.Check(path, DumpFileCheck.Host);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.Unreadable, $"'{path}' could not be read: {ex.Message}", path, ex);
            }

            var analysis = new KuduDumpAnalysis
            {
                Path = path,
                SiteName = source?.SiteName,
                Slot = source?.Slot,
                Instance = source?.Instance,
                ProcessName = source?.ProcessName,
            };

            DataTarget target;
            try
            {
                target = DataTarget.LoadDump(path, ClrMdOptions(options));
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.Unreadable, $"ClrMD could not read '{path}': {ex.Message}", path, ex);
            }

            using (target)
            {
                analysis.ProcessId = target.DataReader.ProcessId;
                OSPlatform platform = target.DataReader.TargetPlatform;
                analysis.Platform = platform == OSPlatform.Windows ? "Windows" : platform == OSPlatform.OSX ? "OSX" : platform == OSPlatform.Linux ? "Linux" : platform.ToString();
                analysis.Architecture = target.DataReader.Architecture.ToString();
                ClrInfo clr = target.ClrVersions.FirstOrDefault(c => c.Flavor == ClrFlavor.Core) ?? target.ClrVersions.FirstOrDefault()
                    ?? throw new DumpAnalysisException(DumpAnalysisErrorKind.NoRuntime,
                        $"'{path}' holds no .NET runtime: it is a dump of a native process (or the runtime's module is missing from it), so there is no managed heap or thread to analyse.", path);
                analysis.Runtime = clr.Flavor == ClrFlavor.Desktop ? ".NET Framework" : clr.Flavor == ClrFlavor.NativeAOT ? ".NET (Native AOT)" : ".NET";
                analysis.RuntimeVersion = DacLocator.VersionFromPath(clr.ModuleInfo.FileName) ?? (clr.Version.Major > 0 ? clr.Version.ToString() : "unknown");

                using ClrRuntime runtime = CreateRuntime(clr, analysis, options, path, trace);
                try
                {
                    HeapWalk.Run(runtime.Heap, options.Top, analysis, cancellationToken);
                    analysis.Threads = ThreadWalk.Run(runtime, options.Frames, cancellationToken);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    throw new DumpAnalysisException(DumpAnalysisErrorKind.Unreadable, $"ClrMD could not walk the heap or threads of '{path}': {ex.Message}", path, ex);
                }
            }

            analysis.Duration = clock.Elapsed;
            trace.Verbose($"{path}: {analysis.ObjectCount:N0} objects, {analysis.HeapSize:N0} bytes, {analysis.Threads.Length} threads, in {analysis.Duration.TotalSeconds:N2} s.");
            return analysis;
        }

        private static ClrRuntime CreateRuntime(ClrInfo clr, KuduDumpAnalysis analysis, DumpAnalysisOptions options, string path, IKuduTrace trace)
        {
            var query = new DacQuery
            {
                RuntimeModulePath = clr.ModuleInfo.FileName,
                BuildId = clr.BuildId.IsDefaultOrEmpty ? Array.Empty<byte>() : clr.BuildId.ToArray(),
                IndexTimeStamp = clr.IndexTimeStamp,
                IndexFileSize = clr.IndexFileSize,
                DacFileName = DacFileName(clr),
                Version = analysis.RuntimeVersion,
                DacPath = options.DacPath,
                DumpPath = path,
                SymbolFolders = SymbolFolders(options),
            };

            string? dac = DacLocator.Find(query);
            try
            {
                if (dac != null)
                {
                    trace.Verbose($"Reading .NET {analysis.RuntimeVersion} with the DAC {dac}.");
                    analysis.DacPath = dac;
                    // The build-id was checked above (or the user chose the file): ClrMD's own check reads 0.0 on .NET 8+.
                    return clr.CreateRuntime(dac, ignoreMismatch: true);
                }

                trace.Verbose($"No DAC for .NET {analysis.RuntimeVersion} beside its runtime on this machine or in the symbol folders; asking ClrMD (its symbol cache and, on Windows, the symbol server).");
                ClrRuntime runtime = clr.CreateRuntime();
                analysis.DacPath = "(found by ClrMD)";
                return runtime;
            }
            catch (Exception ex) when (dac == null && (ex is FileNotFoundException || ex is InvalidOperationException || ex is ClrDiagnosticsException))
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.DacNotFound,
                    $"The DAC of the dump's .NET {analysis.RuntimeVersion} ({query.DacFileName}{(query.BuildId.Length > 0 ? ", build id " + DacLocator.Hex(query.BuildId) : string.Empty)}) was not found: " +
                    $"not beside {query.RuntimeModulePath} on this machine (absent, or another build), nor in a symbol folder. " +
                    $"Give the {query.DacFileName} of .NET {analysis.RuntimeVersion} (or the runtime folder that holds it), or a symbol folder or server.", path, ex, AdviceKey.DacOrSymbols);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is DumpAnalysisException))
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.Unreadable, $"ClrMD could not read the .NET {analysis.RuntimeVersion} runtime in '{path}': {ex.Message}", path, ex);
            }
        }

        private static DataTargetOptions? ClrMdOptions(DumpAnalysisOptions options) =>
            options.SymbolPaths is { Count: > 0 } paths ? new DataTargetOptions { SymbolPaths = paths.ToArray() } : null;

        private static string DacFileName(ClrInfo clr)
        {
            DebugLibraryInfo? dac = clr.DebuggingLibraries.FirstOrDefault(d => d.Kind == DebugLibraryKind.Dac && d.Platform == clr.DataTarget.DataReader.TargetPlatform);
            if (dac != null)
            {
                return Path.GetFileName(dac.FileName);
            }

            OSPlatform platform = clr.DataTarget.DataReader.TargetPlatform;
            return platform == OSPlatform.Windows ? (clr.Flavor == ClrFlavor.Desktop ? "mscordacwks.dll" : "mscordaccore.dll")
                : platform == OSPlatform.OSX ? "libmscordaccore.dylib" : "libmscordaccore.so";
        }

        /// <summary>The -SymbolPath entries that are folders, then dotnet-dump's and dotnet-symbol's cache.</summary>
        private static List<string> SymbolFolders(DumpAnalysisOptions options)
        {
            var folders = (options.SymbolPaths ?? Array.Empty<string>()).Where(p => p.IndexOf('*') < 0 && !p.StartsWith("http", StringComparison.OrdinalIgnoreCase)).ToList();
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home))
            {
                folders.Add(Path.Combine(home, ".dotnet", "symbolcache"));
            }

            return folders;
        }
    }
}
