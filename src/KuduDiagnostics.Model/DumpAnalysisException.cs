using System;

namespace KuduDiagnostics
{
    /// <summary>Why a dump could not be analysed (or only in part).</summary>
    public enum DumpAnalysisErrorKind
    {
        /// <summary>No file at the path.</summary>
        FileNotFound,

        /// <summary>A .partial file: a dump still being written, or what a failed transfer left.</summary>
        PartialFile,

        /// <summary>Neither an ELF core, a Windows minidump nor a Mach-O core.</summary>
        NotADump,

        /// <summary>A Kudu zip (the dump with its debugging files): extract the .dmp first.</summary>
        ZipArchive,

        /// <summary>The file is shorter than its own headers say.</summary>
        Truncated,

        /// <summary>A dump of another operating system: analysed only on that one.</summary>
        WrongPlatform,

        /// <summary>The dump holds no .NET runtime (a native process).</summary>
        NoRuntime,

        /// <summary>The runtime's data access library (DAC) was not found.</summary>
        DacNotFound,

        /// <summary>The DAC given does not belong to the dump's runtime.</summary>
        DacMismatch,

        /// <summary>The dump went to blob storage: download it first.</summary>
        NotOnDisk,

        /// <summary>ClrMD could not read the dump.</summary>
        Unreadable,
    }

    /// <summary>A dump that cannot be analysed here, and what to do about it.</summary>
    public sealed class DumpAnalysisException : AdvisedException
    {
        public DumpAnalysisException(DumpAnalysisErrorKind kind, string message, string? path, Exception? inner = null, KuduAdvice? advice = null)
            : base(message, inner, advice)
        {
            Kind = kind;
            Path = path;
        }

        public DumpAnalysisErrorKind Kind { get; }

        /// <summary>The dump file (or blob URI) concerned.</summary>
        public string? Path { get; }
    }
}
