using System;

namespace KuduDiagnostics
{
    /// <summary>What went wrong talking to Kudu, in terms a cmdlet turns into an ErrorRecord.</summary>
    public enum KuduErrorKind
    {
        Unknown,
        AuthenticationFailed,
        AccessDenied,
        ProcessNotFound,
        InstanceNotFound,
        NotSupportedOnLinux,
        InvalidResponse,
        Unreachable,
        Throttled,
        ServerError,
        BadRequest,
        UnencryptedConnection,
        DumpFailed,
        DumpInProgress,
        DumpTimedOut,
        DumpConnectionDropped,
        DumpStalled,
        FullDumpNotSupported,
        DumpIncomplete,
        InvalidResourceId,
        ResourceNotFound,
        ScmSiteNotAvailable,
        InstancesUnavailable,
        DotnetMonitorNotRunning,
        DotnetMonitorUnreachable,
        DotnetMonitorBusy,
        ProcessApiUnavailable,
        DumpTypeNotSupported,
        InstanceNotResolved,
        InstanceAmbiguous,
        DumpEmpty,
        NotADump,
        Redirected,
        DotnetMonitorRouteNotServed,
        DotnetMonitorAuthenticationRequired,
        ProfileAlreadyRunning,
        ProfileNotRunning,

        /// <summary>A compressed dump whose archive fails its own checks (CRC-32, sizes, data descriptor, deflate data).</summary>
        DumpCorrupt,
    }

    /// <summary>A failed Kudu call. Messages never carry credentials or tokens.</summary>
    public sealed class KuduException : AdvisedException
    {
        public KuduException(KuduErrorKind kind, string message, int? statusCode = null, string? serverMessage = null, Uri? requestUri = null, Exception? inner = null, KuduAdvice? advice = null)
            : base(message, inner, advice)
        {
            Kind = kind;
            StatusCode = statusCode;
            ServerMessage = serverMessage;
            RequestUri = requestUri;
        }

        public KuduErrorKind Kind { get; }

        /// <summary>HTTP status Kudu (or the App Service front end) answered with; null when no response arrived.</summary>
        public int? StatusCode { get; }

        /// <summary>Kudu's own message (the "Message" of its JSON error body), when it sent one.</summary>
        public string? ServerMessage { get; }

        public Uri? RequestUri { get; }

        /// <summary>The site, instance or process the failure is about; the ErrorRecord's target.</summary>
        public KuduTarget? Target { get; private set; }

        /// <summary>The argument the failure is about when it names no place (an -Instance value that matched no instance, or several).</summary>
        public string? Value { get; internal set; }

        /// <summary>The instance that answered the failed request, when the front end said.</summary>
        public string? AnsweredBy { get; internal set; }

        /// <summary>Starts with where it happened ("w3wp (4100) on contoso instance b7c8d9: ...") once a process or instance is named.</summary>
        public override string Message => KuduTarget.Describe(Target, Text);

        /// <summary>Names the target unless a more precise one is already set (where the failure was made, or the facade it passed).</summary>
        internal void AttachTarget(KuduTarget target)
        {
            if (Target == null || (Target.Id == null && target.Id != null))
            {
                Target = target;
            }
        }
    }
}
