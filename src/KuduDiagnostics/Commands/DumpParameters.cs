using System;
using System.Management.Automation;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Commands
{
    /// <summary>What Save-KuduProcessDump and Invoke-FunctionAppDump both make of their dump parameters.</summary>
    internal static class DumpParameters
    {
        /// <summary>-DumpType or -DumpTypeMask (never both) as the mask Kudu gets; a terminating error otherwise.</summary>
        public static DumpKind Kind(PSCmdlet cmdlet, DumpType type, int? mask)
        {
            if (mask.HasValue && cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(DumpType)))
            {
                cmdlet.ThrowTerminatingError(KuduErrors.Record(new ArgumentException("Give either -DumpType or -DumpTypeMask, not both."), "DumpTypeConflict", ErrorCategory.InvalidArgument, mask));
            }

            return DumpKind.From(type, mask);
        }

        /// <summary>-Compress unpacks Kudu's zip into a plain dump; -Format Zip keeps the zip: not both.</summary>
        public static void CheckCompress(PSCmdlet cmdlet, string format, bool compress)
        {
            if (compress && string.Equals(format, "Zip", StringComparison.OrdinalIgnoreCase))
            {
                cmdlet.ThrowTerminatingError(KuduErrors.Record(
                    new ArgumentException("-Compress unpacks Kudu's zip into a plain dump as it arrives; -Format Zip keeps the zip itself. Give one of them."),
                    "DumpFormatConflict", ErrorCategory.InvalidArgument, format));
            }
        }

        /// <summary>The ShouldProcess action: what a dump does to the process.</summary>
        public static string Action(DumpKind kind) => kind.IsFullMemory
            ? $"Save a {kind.Label} dump: the process is frozen while Kudu writes all of its memory, for seconds to minutes"
            : $"Save a {kind.Label} dump: the process is paused while Kudu writes it";

        /// <summary>
        /// A folder (-Path, default the current location) or a blob container. A destination that cannot work for
        /// any item is a terminating error: nothing can be stored, so no process is frozen.
        /// </summary>
        public static DumpDestinations Destinations(PSCmdlet cmdlet, string? path, BlobDestination blob)
        {
            if (blob.ContainerUri == null && blob.ConnectionString == null)
            {
                string folder = path == null ? cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath : cmdlet.GetUnresolvedProviderPathFromPSPath(path);
                return DumpDestinations.Folder(folder, blob.Force);
            }

            try
            {
                return DumpDestinations.Blob(blob);
            }
            catch (DumpDestinationException ex)
            {
                cmdlet.ThrowTerminatingError(KuduErrors.From(ex, ex.Destination));
                throw; // ThrowTerminatingError does not return.
            }
        }
    }
}
