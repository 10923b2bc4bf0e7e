using System;
using System.Management.Automation;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// Turns failures into ErrorRecords. The ErrorIds are public API: scripts and tests match on them.
    /// </summary>
    internal static class KuduErrors
    {
        public static ErrorRecord From(Exception exception, object? target)
        {
            switch (exception)
            {
                case KuduException kudu:
                    (string id, ErrorCategory category) = Classify(kudu.Kind);
                    return Record(kudu, id, category, (object?)kudu.Target ?? kudu.Value ?? target);
                case DumpDestinationException destination:
                    (string destinationId, ErrorCategory destinationCategory) = Classify(destination.Kind);
                    return Record(destination, destinationId, destinationCategory, (object?)destination.Target ?? target);
                case PublishSettingsException:
                    return Record(exception, "PublishSettingsInvalid", ErrorCategory.InvalidData, target);
                case ObjectDisposedException:
                    return Record(exception, "KuduSessionClosed", ErrorCategory.ResourceUnavailable, target);
                case ArgumentException:
                    return Record(exception, "KuduInvalidArgument", ErrorCategory.InvalidArgument, target);
                default:
                    return Record(exception, "KuduUnexpectedError", ErrorCategory.NotSpecified, target);
            }
        }

        public static ErrorRecord Record(Exception exception, string errorId, ErrorCategory category, object? target)
        {
            // The core stated the fact; the user reads it with what to type about it.
            Advice.Apply(exception);
            var record = new ErrorRecord(exception, errorId, category, target);

            // What the console shows: never a control character a server slipped into a message.
            string clean = ConsoleText.Clean(exception.Message);
            if (!string.Equals(clean, exception.Message, StringComparison.Ordinal))
            {
                record.ErrorDetails = new ErrorDetails(clean);
            }

            return record;
        }

        private static (string, ErrorCategory) Classify(DumpDestinationErrorKind kind)
        {
            switch (kind)
            {
                case DumpDestinationErrorKind.TargetExists: return ("DumpTargetExists", ErrorCategory.ResourceExists);
                case DumpDestinationErrorKind.DiskFull: return ("DumpDiskFull", ErrorCategory.WriteError);
                case DumpDestinationErrorKind.NotWritable: return ("DumpFolderNotWritable", ErrorCategory.PermissionDenied);
                case DumpDestinationErrorKind.WriteFailed: return ("DumpWriteFailed", ErrorCategory.WriteError);
                case DumpDestinationErrorKind.InvalidDestination: return ("DumpDestinationInvalid", ErrorCategory.InvalidArgument);
                case DumpDestinationErrorKind.AccessDenied: return ("BlobAccessDenied", ErrorCategory.PermissionDenied);
                case DumpDestinationErrorKind.ContainerNotFound: return ("BlobContainerNotFound", ErrorCategory.ObjectNotFound);
                case DumpDestinationErrorKind.Unreachable: return ("BlobEndpointUnreachable", ErrorCategory.ConnectionError);
                case DumpDestinationErrorKind.InvalidConnectionString: return ("BlobConnectionStringInvalid", ErrorCategory.InvalidArgument);
                default: return ("DumpDestinationError", ErrorCategory.NotSpecified);
            }
        }

        private static (string, ErrorCategory) Classify(KuduErrorKind kind)
        {
            switch (kind)
            {
                case KuduErrorKind.AuthenticationFailed: return ("KuduAuthenticationFailed", ErrorCategory.AuthenticationError);
                case KuduErrorKind.AccessDenied: return ("KuduAccessDenied", ErrorCategory.PermissionDenied);
                case KuduErrorKind.ProcessNotFound: return ("KuduProcessNotFound", ErrorCategory.ObjectNotFound);
                case KuduErrorKind.InstanceNotFound: return ("KuduInstanceNotFound", ErrorCategory.ObjectNotFound);
                case KuduErrorKind.NotSupportedOnLinux: return ("KuduNotSupportedOnLinux", ErrorCategory.NotImplemented);
                case KuduErrorKind.InvalidResponse: return ("KuduInvalidResponse", ErrorCategory.InvalidResult);
                case KuduErrorKind.Unreachable: return ("KuduUnreachable", ErrorCategory.ConnectionError);
                case KuduErrorKind.Throttled: return ("KuduThrottled", ErrorCategory.LimitsExceeded);
                case KuduErrorKind.ServerError: return ("KuduServerError", ErrorCategory.InvalidResult);
                case KuduErrorKind.BadRequest: return ("KuduBadRequest", ErrorCategory.InvalidOperation);
                case KuduErrorKind.UnencryptedConnection: return ("KuduUnencryptedConnection", ErrorCategory.SecurityError);
                case KuduErrorKind.DumpFailed: return ("KuduDumpFailed", ErrorCategory.InvalidResult);
                case KuduErrorKind.DumpInProgress: return ("KuduDumpInProgress", ErrorCategory.ResourceBusy);
                case KuduErrorKind.DumpTimedOut: return ("KuduDumpTimedOut", ErrorCategory.OperationTimeout);
                case KuduErrorKind.DumpConnectionDropped: return ("KuduDumpConnectionDropped", ErrorCategory.ConnectionError);
                case KuduErrorKind.DumpStalled: return ("KuduDumpStalled", ErrorCategory.OperationTimeout);
                case KuduErrorKind.FullDumpNotSupported: return ("KuduFullDumpNotSupported", ErrorCategory.NotEnabled);
                case KuduErrorKind.DumpIncomplete: return ("KuduDumpIncomplete", ErrorCategory.InvalidResult);
                case KuduErrorKind.InvalidResourceId: return ("InvalidSiteResourceId", ErrorCategory.InvalidArgument);
                case KuduErrorKind.ResourceNotFound: return ("SiteResourceNotFound", ErrorCategory.ObjectNotFound);
                case KuduErrorKind.ScmSiteNotAvailable: return ("KuduNotAvailable", ErrorCategory.NotImplemented);
                case KuduErrorKind.InstancesUnavailable: return ("KuduInstancesUnavailable", ErrorCategory.InvalidOperation);
                case KuduErrorKind.DotnetMonitorNotRunning: return ("KuduDotnetMonitorNotRunning", ErrorCategory.ResourceUnavailable);
                case KuduErrorKind.DotnetMonitorUnreachable: return ("KuduDotnetMonitorUnreachable", ErrorCategory.ConnectionError);
                case KuduErrorKind.DotnetMonitorBusy: return ("KuduDotnetMonitorBusy", ErrorCategory.ResourceBusy);
                case KuduErrorKind.ProcessApiUnavailable: return ("KuduProcessApiUnavailable", ErrorCategory.NotImplemented);
                case KuduErrorKind.DumpTypeNotSupported: return ("KuduDumpTypeNotSupported", ErrorCategory.InvalidArgument);
                case KuduErrorKind.InstanceNotResolved: return ("KuduInstanceNotResolved", ErrorCategory.ObjectNotFound);
                case KuduErrorKind.InstanceAmbiguous: return ("KuduInstanceAmbiguous", ErrorCategory.InvalidArgument);
                case KuduErrorKind.DumpEmpty: return ("KuduDumpEmpty", ErrorCategory.InvalidResult);
                case KuduErrorKind.NotADump: return ("KuduDumpNotADump", ErrorCategory.InvalidResult);
                case KuduErrorKind.DumpCorrupt: return ("KuduDumpCorrupt", ErrorCategory.InvalidData);
                case KuduErrorKind.Redirected: return ("KuduRedirected", ErrorCategory.InvalidResult);
                case KuduErrorKind.DotnetMonitorRouteNotServed: return ("KuduDotnetMonitorRouteNotServed", ErrorCategory.NotImplemented);
                case KuduErrorKind.DotnetMonitorAuthenticationRequired: return ("KuduDotnetMonitorAuthenticationRequired", ErrorCategory.AuthenticationError);
                case KuduErrorKind.ProfileAlreadyRunning: return ("KuduProfileAlreadyRunning", ErrorCategory.ResourceBusy);
                case KuduErrorKind.ProfileNotRunning: return ("KuduProfileNotRunning", ErrorCategory.ObjectNotFound);
                default: return ("KuduError", ErrorCategory.NotSpecified);
            }
        }
    }
}
