using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// Files that came with a dump and are kept beside it (Kudu's zip carries sos.dll and mscordacwks.dll, the DAC a
    /// Windows analysis needs): staged as they arrive, visible only once committed, removed again on abort.
    /// </summary>
    internal interface IDumpExtras
    {
        /// <summary>Stores one file under <paramref name="name"/>, a safe file name (see <see cref="DumpExtras.SafeName"/>).</summary>
        Task AddAsync(string name, Stream content, CancellationToken cancellationToken);

        /// <summary>Makes every staged file visible.</summary>
        Task CommitAsync(CancellationToken cancellationToken);

        /// <summary>Where each file is (paths, or blob URIs without SAS), once committed.</summary>
        IReadOnlyList<string> Locations { get; }

        /// <summary>Removes whatever was staged or committed. Never throws.</summary>
        void Abort();
    }

    /// <summary>A dump destination that can keep files beside the dump.</summary>
    internal interface IDumpExtrasTarget
    {
        IDumpExtras Extras { get; }
    }

    internal static class DumpExtras
    {
        /// <summary>The folder (or blob prefix) beside a dump that holds its extras: "&lt;dump file name&gt;.dac".</summary>
        public const string FolderSuffix = ".dac";

        /// <summary>More files than this after the dump is no archive of Kudu's.</summary>
        public const int MaxCount = 16;

        /// <summary>
        /// A server-supplied entry name as a file name: its last path segment, letters, digits, '.', '-', '_' kept and
        /// anything else an underscore, no leading dot; null when nothing usable is left.
        /// </summary>
        public static string? SafeName(string entryName)
        {
            int slash = Math.Max(entryName.LastIndexOf('/'), entryName.LastIndexOf('\\'));
            string last = entryName.Substring(slash + 1);
            var builder = new StringBuilder();
            foreach (char c in last)
            {
                bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
                builder.Append(keep ? c : '_');
                if (builder.Length >= 100)
                {
                    break;
                }
            }

            string name = builder.ToString().TrimStart('.');
            return name.Trim('_').Length == 0 ? null : name;
        }
    }

    /// <summary>Extras on disk: &lt;dump&gt;.dac/&lt;name&gt;, written as .partial (owner-only) and renamed on commit.</summary>
    internal sealed class FileDumpExtras : IDumpExtras
    {
        private readonly string _folder;
        private readonly bool _force;
        private readonly List<string> _staged = new List<string>();
        private readonly List<string> _committed = new List<string>();
        private bool _madeFolder;

        public FileDumpExtras(string dumpPath, bool force)
        {
            _folder = dumpPath + DumpExtras.FolderSuffix;
            _force = force;
        }

        public IReadOnlyList<string> Locations => _committed;

        public async Task AddAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            string final = Path.Combine(_folder, name);
            string partial = final + FileDumpSink.PartialSuffix;
            try
            {
                if (!Directory.Exists(_folder))
                {
                    Directory.CreateDirectory(_folder);
                    _madeFolder = true;
                }

                _staged.Add(final);
                using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
                {
                    OwnerOnly.Restrict(partial);
                    await content.CopyToAsync(file, 81920, cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw FileDumpSink.FromIOException(ex, partial, $"Cannot write '{partial}'");
            }
        }

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            foreach (string final in _staged)
            {
                try
                {
                    if (File.Exists(final))
                    {
                        if (!_force)
                        {
                            throw new DumpDestinationException(DumpDestinationErrorKind.TargetExists, $"'{final}' already exists.", final, advice: AdviceKey.UseForce);
                        }

                        File.Delete(final);
                    }

                    File.Move(final + FileDumpSink.PartialSuffix, final);
                    _committed.Add(final);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw FileDumpSink.FromIOException(ex, final, $"Cannot finish '{final}'");
                }
            }

            return Task.CompletedTask;
        }

        public void Abort()
        {
            foreach (string final in _staged)
            {
                FileDumpSink.TryDelete(final + FileDumpSink.PartialSuffix);
            }

            foreach (string final in _committed)
            {
                FileDumpSink.TryDelete(final);
            }

            _committed.Clear();
            try
            {
                if (_madeFolder && Directory.Exists(_folder) && !Directory.EnumerateFileSystemEntries(_folder).GetEnumerator().MoveNext())
                {
                    Directory.Delete(_folder, recursive: false);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Best effort; the failure that got us here is what gets reported.
            }
        }
    }
}
