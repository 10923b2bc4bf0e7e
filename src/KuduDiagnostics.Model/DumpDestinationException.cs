using System;

namespace KuduDiagnostics
{
    /// <summary>What went wrong storing a dump (as opposed to getting it from Kudu).</summary>
    public enum DumpDestinationErrorKind
    {
        TargetExists,
        DiskFull,
        NotWritable,
        WriteFailed,
        InvalidDestination,
        AccessDenied,
        ContainerNotFound,
        Unreachable,
        InvalidConnectionString,
    }

    /// <summary>A failure of the dump's destination: a folder or a blob container. Never carries a SAS or key.</summary>
    public sealed class DumpDestinationException : AdvisedException
    {
        public DumpDestinationException(DumpDestinationErrorKind kind, string message, string? destination = null, Exception? inner = null, KuduAdvice? advice = null)
            : base(message, inner, advice)
        {
            Kind = kind;
            Destination = destination;
        }

        public DumpDestinationErrorKind Kind { get; }

        /// <summary>The file path or blob URI (without SAS) concerned.</summary>
        public string? Destination { get; }

        /// <summary>The process whose dump could not be stored, when it is known.</summary>
        public KuduTarget? Target { get; private set; }

        /// <summary>Starts with the process it was about, as Kudu's own errors do.</summary>
        public override string Message => KuduTarget.Describe(Target, Text);

        /// <summary>Names the process unless one is named already.</summary>
        internal void AttachTarget(KuduTarget target)
        {
            Target ??= target;
        }
    }
}
