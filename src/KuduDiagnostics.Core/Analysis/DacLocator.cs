using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace KuduDiagnostics.Analysis
{
    /// <summary>What is known of a dump's runtime when its DAC is looked for.</summary>
    internal sealed class DacQuery
    {
        /// <summary>The runtime module's path as the dump recorded it (.../Microsoft.NETCore.App/10.0.12/libcoreclr.so).</summary>
        public string RuntimeModulePath { get; set; } = string.Empty;

        /// <summary>The runtime module's ELF build-id (Mach-O UUID on macOS); empty for Windows, which indexes by time stamp and size.</summary>
        public byte[] BuildId { get; set; } = Array.Empty<byte>();

        public int IndexTimeStamp { get; set; }
        public int IndexFileSize { get; set; }

        /// <summary>libmscordaccore.so, libmscordaccore.dylib, mscordaccore.dll or mscordacwks.dll.</summary>
        public string DacFileName { get; set; } = string.Empty;

        public string Version { get; set; } = string.Empty;

        /// <summary>-DacPath: the DAC file or a folder that holds it.</summary>
        public string? DacPath { get; set; }

        /// <summary>The dump file itself: Kudu's zip (-Compress) leaves the worker's DAC beside it, in &lt;dump&gt;.dac.</summary>
        public string? DumpPath { get; set; }

        /// <summary>Local symbol folders (-SymbolPath entries that are folders, and dotnet-dump's cache).</summary>
        public IReadOnlyList<string> SymbolFolders { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// Finds the DAC (the runtime's data access library) a dump must be read with. ClrMD on Linux looks only in its
    /// symbol cache and on the symbol server, which it does not download from on Linux, and it reads .NET 8 and
    /// 10 as version 0.0, so a DAC given by path is refused as mismatched. The sure local match is the DAC beside
    /// the very libcoreclr.so the dump ran: same ELF build-id (on Windows: coreclr.dll's time stamp and size). Then
    /// ClrMD is asked to take it without its own check.
    /// </summary>
    internal static class DacLocator
    {
        private static readonly Regex s_version = new Regex(@"^\d+\.\d+\.\d+([-+][0-9A-Za-z.\-]+)?$", RegexOptions.CultureInvariant);

        /// <summary>The DAC's path, or null when none was found here (ClrMD may still find one on Windows).</summary>
        public static string? Find(DacQuery q)
        {
            if (q.DacPath != null)
            {
                return FromGiven(q, q.DacPath);
            }

            // Kudu took it from the worker's own runtime folder, with the dump: nothing on this machine is a surer match.
            string? cameWith = q.DumpPath == null ? null : Path.Combine(q.DumpPath + Dumps.DumpExtras.FolderSuffix, q.DacFileName);
            if (cameWith != null && File.Exists(cameWith))
            {
                return cameWith;
            }

            string? runtimeFolder = FolderOf(q.RuntimeModulePath);
            string? beside = runtimeFolder == null ? null : BesideMatchingRuntime(q, runtimeFolder);
            if (beside != null)
            {
                return beside;
            }

            foreach (string folder in q.SymbolFolders.Where(Directory.Exists))
            {
                string? key = SymbolStoreKey(q);
                string? indexed = key == null ? null : Path.Combine(folder, key);
                if (indexed != null && File.Exists(indexed))
                {
                    return indexed;
                }

                string? flat = BesideMatchingRuntime(q, folder);
                if (flat != null)
                {
                    return flat;
                }
            }

            return null;
        }

        /// <summary>
        /// The runtime's version from the folder that holds its module (.../Microsoft.NETCore.App/10.0.12/libcoreclr.so
        /// gives 10.0.12), or null when that folder is not named by a version (a self-contained app, .NET Framework).
        /// </summary>
        public static string? VersionFromPath(string runtimeModulePath)
        {
            string[] parts = runtimeModulePath.Split(new[] { '/', '\\' }, StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 2 && s_version.IsMatch(parts[parts.Length - 2]) ? parts[parts.Length - 2] : null;
        }

        /// <summary>Where dotnet-symbol and dotnet-dump keep the DAC: name/elf-buildid-coreclr-{id}/name (SSQP).</summary>
        internal static string? SymbolStoreKey(DacQuery q)
        {
            string name = q.DacFileName.ToLowerInvariant();
            if (q.BuildId.Length > 0)
            {
                string id = string.Concat(q.BuildId.Select(b => b.ToString("x2")));
                string kind = name.EndsWith(".dylib", StringComparison.Ordinal) ? "mach-uuid-coreclr-" : "elf-buildid-coreclr-";
                return Path.Combine(name, kind + id, name);
            }

            return q.IndexTimeStamp != 0 ? Path.Combine(name, q.IndexTimeStamp.ToString("X8") + q.IndexFileSize.ToString("x"), name) : null;
        }

        /// <summary>-DacPath: taken as given, unless the runtime module beside it is provably another build.</summary>
        private static string FromGiven(DacQuery q, string given)
        {
            string file = Directory.Exists(given) ? Path.Combine(given, q.DacFileName) : given;
            if (!File.Exists(file))
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.DacNotFound,
                    $"There is no {q.DacFileName} at '{file}'. Give the {q.DacFileName} of .NET {q.Version}, or the folder that holds it.", given, advice: AdviceKey.GivenDacPath);
            }

            string module = Path.Combine(FolderOf(file) ?? ".", FileNameOf(q.RuntimeModulePath));
            if (q.BuildId.Length > 0 && File.Exists(module) && ElfFile.ReadBuildId(module) is byte[] id && !id.SequenceEqual(q.BuildId))
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.DacMismatch,
                    $"The runtime beside '{file}' is another build than the dump's .NET {q.Version} (build id {Hex(id)}, the dump's is {Hex(q.BuildId)}). Give the {q.DacFileName} of .NET {q.Version}.", given, advice: AdviceKey.GivenDacPath);
            }

            if (q.BuildId.Length == 0 && q.IndexTimeStamp != 0 && File.Exists(module) && PeFile.ReadIndex(module) is var (stamp, size) && (stamp != q.IndexTimeStamp || size != q.IndexFileSize))
            {
                throw new DumpAnalysisException(DumpAnalysisErrorKind.DacMismatch,
                    $"The runtime beside '{file}' is another build than the dump's .NET {q.Version} (time stamp {stamp:X8}, the dump's is {q.IndexTimeStamp:X8}). Give the {q.DacFileName} of .NET {q.Version}.", given, advice: AdviceKey.GivenDacPath);
            }

            return file;
        }

        /// <summary>The DAC in a folder whose runtime module has the dump's build-id; null otherwise.</summary>
        private static string? BesideMatchingRuntime(DacQuery q, string folder)
        {
            string dac = Path.Combine(folder, q.DacFileName);
            string module = Path.Combine(folder, FileNameOf(q.RuntimeModulePath));
            if (!File.Exists(dac) || !File.Exists(module))
            {
                return null;
            }

            if (q.BuildId.Length > 0)
            {
                byte[]? id = ElfFile.ReadBuildId(module);
                return id != null && id.SequenceEqual(q.BuildId) ? dac : null;
            }

            // Windows: the same build has the same time stamp and image size.
            return q.IndexTimeStamp != 0 && PeFile.ReadIndex(module) is var (stamp, size) && stamp == q.IndexTimeStamp && size == q.IndexFileSize ? dac : null;
        }

        internal static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2")));

        private static string FileNameOf(string path)
        {
            int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return slash < 0 ? path : path.Substring(slash + 1);
        }

        private static string? FolderOf(string path)
        {
            int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return slash <= 0 ? null : path.Substring(0, slash);
        }
    }
}
