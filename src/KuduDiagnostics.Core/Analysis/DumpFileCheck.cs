using System;
using System.IO;
using System.Runtime.InteropServices;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Analysis
{
    /// <summary>
    /// Decides, before ClrMD opens a file, whether it can be analysed here: a .partial, a file that is no dump, a
    /// Kudu zip, a core shorter than its own headers, or a dump of another operating system each get their own
    /// error and advice. Pure file reading; the host platform is a parameter so tests can ask for any.
    /// </summary>
    internal static class DumpFileCheck
    {
        private const string PartialSuffix = ".partial";

        public static DumpLayout Check(string path, OSPlatform host)
        {
            if (path.EndsWith(PartialSuffix, StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(DumpAnalysisErrorKind.PartialFile, path,
                    $"'{path}' is a .partial file: a dump still being written, or what a failed or cancelled transfer left. Analyse the finished dump (without .partial); dump again if there is none.");
            }

            if (!File.Exists(path))
            {
                throw Fail(DumpAnalysisErrorKind.FileNotFound, path, $"There is no file '{path}'.");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            byte[] head = new byte[8];
            int read = stream.Read(head, 0, head.Length);
            DumpLayout format = FormatOf(head, read, path);
            OSPlatform platform = PlatformOf(format);
            if (platform != host)
            {
                string where = format == DumpLayout.Minidump ? "on Windows (Windows PowerShell 5.1 or pwsh), where the DAC comes from Microsoft's symbol server"
                    : format == DumpLayout.ElfCore ? "on Linux (pwsh on a Linux machine, WSL or a container), with the runtime of the dump installed"
                    : "on macOS";
                throw Fail(DumpAnalysisErrorKind.WrongPlatform, path,
                    $"'{path}' is a {Describe(format)}; ClrMD cannot analyse a dump of {Name(platform)} on {Name(host)}. Analyse it {where}.",
                    format == DumpLayout.ElfCore ? AdviceKey.DacPathForLinuxDump : null);
            }

            if (format == DumpLayout.ElfCore && ElfFile.ReadType(stream) is ushort type && type != ElfFile.TypeCore)
            {
                throw Fail(DumpAnalysisErrorKind.NotADump, path, $"'{path}' is an ELF program or library, not a core dump.");
            }

            long? required = format == DumpLayout.ElfCore ? ElfFile.RequiredCoreLength(stream)
                : format == DumpLayout.Minidump ? Minidump.RequiredLength(stream) : null;
            if (required is long need && need > stream.Length)
            {
                throw Fail(DumpAnalysisErrorKind.Truncated, path,
                    $"'{path}' is a truncated {Describe(format)}: it holds {stream.Length:N0} bytes of the {need:N0} its headers describe (a copy or download cut short, or a full disk). Take or copy the dump again.");
            }

            return format;
        }

        internal static DumpLayout FormatOf(byte[] head, int read, string path)
        {
            DumpLayout? layout = DumpSignatures.Identify(head, read);
            if (layout == DumpLayout.ElfCore && !(read >= 8 && head[4] == 2 && head[5] == 1))
            {
                layout = null; // not a 64-bit little-endian ELF; its type (core or library) is checked with the headers
            }

            if (layout == DumpLayout.Zip)
            {
                throw Fail(DumpAnalysisErrorKind.ZipArchive, path,
                    $"'{path}' is a zip (the dump with its debugging files). Extract the .dmp from it and analyse that.", AdviceKey.ZipFormat);
            }

            return layout ?? throw Fail(DumpAnalysisErrorKind.NotADump, path,
                read == 0 ? $"'{path}' is empty: it is no dump." : $"'{path}' is no dump: it is neither a Linux core (ELF), a Windows minidump (MDMP) nor a macOS core (Mach-O).");
        }

        private static OSPlatform PlatformOf(DumpLayout format) =>
            format == DumpLayout.Minidump ? OSPlatform.Windows : format == DumpLayout.MachOCore ? OSPlatform.OSX : OSPlatform.Linux;

        internal static string Name(OSPlatform platform) =>
            platform == OSPlatform.Windows ? "Windows" : platform == OSPlatform.OSX ? "macOS" : platform == OSPlatform.Linux ? "Linux" : platform.ToString();

        private static string Describe(DumpLayout format) =>
            format == DumpLayout.Minidump ? "Windows minidump" : format == DumpLayout.MachOCore ? "macOS core" : "Linux core";

        private static DumpAnalysisException Fail(DumpAnalysisErrorKind kind, string path, string message, KuduAdvice? advice = null) => new DumpAnalysisException(kind, message, path, advice: advice);

        /// <summary>The platform this process runs on, as the check compares it.</summary>
        public static OSPlatform Host =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX : OSPlatform.Linux;
    }
}
