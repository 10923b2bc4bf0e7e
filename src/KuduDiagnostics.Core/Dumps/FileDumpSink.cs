using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// Writes dumps under a folder: &lt;root&gt;/yyyy-MM-dd/&lt;name&gt;.dmp, via &lt;name&gt;.dmp.partial that is flushed to
    /// disk, checked, then renamed. Files are readable by the current user only: a dump holds every secret in the
    /// process's memory.
    /// </summary>
    internal sealed class FileDumpSink : IDumpSink
    {
        internal const string PartialSuffix = ".partial";
        // Two of these are in use per dump; 4 MiB per write matches a bare FileStream copy's pace (fewer writes, hops).
        internal const int CopyBufferSize = 4 * 1024 * 1024;

        private readonly string _root;
        private readonly bool _force;

        // Date folders this sink made: a dump that fails or is stopped removes its folder again when it is left empty.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _madeFolders =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        public FileDumpSink(string root, bool force)
        {
            _root = Path.GetFullPath(root);
            _force = force;
        }

        public Task<IDumpTarget> PrepareAsync(DumpDescriptor dump, IKuduTrace trace, CancellationToken cancellationToken)
        {
            if (File.Exists(_root))
            {
                throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination,
                    $"'{_root}' is a file; give the folder the dumps should go to.", _root, advice: AdviceKey.PathIsFile);
            }

            string folder = Path.Combine(_root, DumpNaming.DateFolder(dump));
            string finalPath = Path.GetFullPath(Path.Combine(folder, DumpNaming.FileName(dump)));

            // The name is built from sanitised parts; this is the last line of defence against a path that escapes.
            string rootWithSeparator = _root.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? _root : _root + Path.DirectorySeparatorChar;
            if (!finalPath.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            {
                throw new DumpDestinationException(DumpDestinationErrorKind.InvalidDestination, $"The dump name '{finalPath}' would leave '{_root}'.", _root);
            }

            if (File.Exists(finalPath) && !_force)
            {
                throw new DumpDestinationException(DumpDestinationErrorKind.TargetExists,
                    $"'{finalPath}' already exists.", finalPath, advice: AdviceKey.UseForce);
            }

            string partialPath = finalPath + PartialSuffix;
            FileStream stream;
            try
            {
                if (!Directory.Exists(folder))
                {
                    Directory.CreateDirectory(folder);
                    _madeFolders[folder] = true;
                }

                stream = new FileStream(partialPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new DumpDestinationException(DumpDestinationErrorKind.NotWritable,
                    $"Cannot write to '{folder}': {ex.Message}", folder, ex, AdviceKey.WritableFolder);
            }
            catch (Exception ex) when (ex is IOException || ex is NotSupportedException)
            {
                throw FromIOException(ex, folder, $"Cannot create '{partialPath}'");
            }

            try
            {
                OwnerOnly.Restrict(partialPath);
            }
            catch (Exception ex)
            {
                stream.Dispose();
                TryDelete(partialPath);
                RemoveIfMadeAndEmpty(folder);
                throw new DumpDestinationException(DumpDestinationErrorKind.NotWritable,
                    $"Cannot make '{partialPath}' private to the current user: {ex.Message}", partialPath, ex);
            }

            return Task.FromResult<IDumpTarget>(new FileDumpTarget(finalPath, partialPath, stream, _force, () => RemoveIfMadeAndEmpty(folder)));
        }

        private void RemoveIfMadeAndEmpty(string folder)
        {
            if (!_madeFolders.ContainsKey(folder))
            {
                return;
            }

            try
            {
                // Directory.Delete without recursion refuses a folder that holds anything: other dumps stay safe.
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).GetEnumerator().MoveNext())
                {
                    Directory.Delete(folder, recursive: false);
                    _madeFolders.TryRemove(folder, out _);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Another dump is writing into it; it stays.
            }
        }

        internal static DumpDestinationException FromIOException(Exception ex, string path, string what)
        {
            if (IsDiskFull(ex))
            {
                return new DumpDestinationException(DumpDestinationErrorKind.DiskFull,
                    $"{what}: the disk is full ({ex.Message}); the partial dump was removed.", path, ex, AdviceKey.FreeSpace);
            }

            if (ex is UnauthorizedAccessException)
            {
                return new DumpDestinationException(DumpDestinationErrorKind.NotWritable, $"{what}: {ex.Message}", path, ex);
            }

            return new DumpDestinationException(DumpDestinationErrorKind.WriteFailed, $"{what}: {ex.Message}", path, ex);
        }

        private static bool IsDiskFull(Exception ex)
        {
            // Windows: ERROR_DISK_FULL (112), ERROR_HANDLE_DISK_FULL (39). Unix: ENOSPC (28), EDQUOT (122 on Linux).
            int code = ex.HResult & 0xFFFF;
            return code == 112 || code == 39 || ex.HResult == 28 || ex.HResult == 122
                || ex.Message.IndexOf("No space left", StringComparison.OrdinalIgnoreCase) >= 0;
        }

        internal static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Best effort; the caller already reports the failure that got us here.
            }
        }

        private sealed class FileDumpTarget : IDumpTarget, IDumpExtrasTarget
        {
            private readonly string _partialPath;
            private readonly bool _force;
            private readonly Action _cleanFolder;
            private FileStream? _stream;
            private FileDumpExtras? _extras;

            public FileDumpTarget(string finalPath, string partialPath, FileStream stream, bool force, Action cleanFolder)
            {
                FilePath = finalPath;
                _partialPath = partialPath;
                _stream = stream;
                _force = force;
                _cleanFolder = cleanFolder;
            }

            public string Display => FilePath!;

            public string? FilePath { get; }

            public Uri? BlobUri => null;

            public string? BlobName => null;

            public long? BytesStored => null;

            public IDumpExtras Extras => _extras ??= new FileDumpExtras(FilePath!, _force);

            /// <summary>
            /// Fills the next block while the previous one is written: network and disk work at once. Blocks are
            /// filled, not written as each read returns: a socket read gives 64 KiB or so, and a write per read (each
            /// a thread-pool hop for an async file on Linux) cost more than the copy itself.
            /// </summary>
            public async Task WriteAsync(DumpBodyStream body, CancellationToken cancellationToken)
            {
                FileStream stream = _stream ?? throw new ObjectDisposedException(nameof(FileDumpTarget));
                byte[] current = new byte[CopyBufferSize];
                byte[] next = new byte[CopyBufferSize];
                int read = await FillAsync(body, current, cancellationToken).ConfigureAwait(false);
                while (read > 0)
                {
                    Task write = WriteBlockAsync(stream, current, read, cancellationToken);
                    int nextRead;
                    try
                    {
                        nextRead = await FillAsync(body, next, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        // Never leave a write running against a file we are about to delete.
                        await write.ConfigureAwait(false);
                    }

                    (current, next) = (next, current);
                    read = nextRead;
                }
            }

            public Task CommitAsync(CancellationToken cancellationToken)
            {
                FileStream stream = _stream ?? throw new ObjectDisposedException(nameof(FileDumpTarget));
                try
                {
                    stream.Flush(flushToDisk: true);
                    stream.Dispose();
                    _stream = null;
                    _extras?.CommitAsync(cancellationToken).GetAwaiter().GetResult();
                    if (File.Exists(FilePath!))
                    {
                        if (!_force)
                        {
                            throw new DumpDestinationException(DumpDestinationErrorKind.TargetExists,
                                $"'{FilePath}' appeared while the dump was written.", FilePath, advice: AdviceKey.UseForce);
                        }

                        File.Delete(FilePath!);
                    }

                    File.Move(_partialPath, FilePath!);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw FromIOException(ex, FilePath!, $"Cannot finish '{FilePath}'");
                }

                return Task.CompletedTask;
            }

            public void Abort()
            {
                Dispose();
                TryDelete(_partialPath);
                _extras?.Abort();
                _cleanFolder();
            }

            public void Dispose()
            {
                try
                {
                    _stream?.Dispose();
                }
                catch (IOException)
                {
                    // Flushing a file on a full disk fails again here; the partial file is deleted next anyway.
                }

                _stream = null;
            }

            private static async Task<int> FillAsync(DumpBodyStream body, byte[] buffer, CancellationToken cancellationToken)
            {
                int filled = 0;
                int read;
                while (filled < buffer.Length && (read = await body.ReadAsync(buffer, filled, buffer.Length - filled, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                return filled;
            }

            private async Task WriteBlockAsync(FileStream stream, byte[] buffer, int count, CancellationToken cancellationToken)
            {
                try
                {
                    await stream.WriteAsync(buffer, 0, count, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw FromIOException(ex, FilePath!, $"Cannot write '{_partialPath}'");
                }
            }
        }
    }
}
