using System.Collections.Generic;
using KuduDiagnostics.Dumps;

namespace KuduDiagnostics.Commands
{
    /// <summary>
    /// The destination of a dumping command: one folder, one blob container, or a container signed with each
    /// session's own Azure identity. Safe to use from several threads.
    /// </summary>
    internal sealed class DumpDestinations
    {
        private readonly IDumpSink? _shared;
        private readonly BlobDestination? _blob;
        private readonly Dictionary<int, IDumpSink> _bySession = new Dictionary<int, IDumpSink>();

        private DumpDestinations(IDumpSink? shared, BlobDestination? blob)
        {
            _shared = shared;
            _blob = blob;
        }

        public static DumpDestinations Folder(string path, bool force) => new DumpDestinations(new FileDumpSink(path, force), null);

        /// <summary>Throws DumpDestinationException when the destination cannot work for any session.</summary>
        public static DumpDestinations Blob(BlobDestination blob) =>
            BlobDumpSink.UsesSessionIdentity(blob)
                ? new DumpDestinations(null, blob)
                : new DumpDestinations(BlobDumpSink.CreateForSession(blob, session: null), null);

        /// <summary>The sink for a session's dumps; throws DumpDestinationException when it cannot be made.</summary>
        public IDumpSink For(KuduSession session)
        {
            if (_shared != null)
            {
                return _shared;
            }

            lock (_bySession)
            {
                if (!_bySession.TryGetValue(session.Id, out IDumpSink? sink))
                {
                    sink = BlobDumpSink.CreateForSession(_blob!, session);
                    _bySession[session.Id] = sink;
                }

                return sink;
            }
        }
    }
}
