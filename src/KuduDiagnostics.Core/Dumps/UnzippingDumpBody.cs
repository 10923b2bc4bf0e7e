using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps.Zip;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// The stage between Kudu's zip (-Compress) and the sink. The wire is checked as any dump body (counted, PK
    /// signature, Content-Length, the zip's end record) and read as a zip as it arrives; the sink reads the first
    /// entry inflated, as a plain dump body with every check of a raw one (signature, structure, length). The read
    /// that ends the dump also takes the entries after it into the destination's extras and reads the archive to its
    /// end, so the sink sees the end only once the whole archive has passed. Sinks never learn zip.
    /// </summary>
    internal sealed class UnzippingDumpBody
    {
        private readonly ZipStreamReader _reader;
        private readonly Func<IDumpExtras?> _extras;
        private readonly IKuduTrace _trace;
        private readonly string _host;
        private readonly List<string> _extraNames = new List<string>();
        private ZipEntry? _first;

        public UnzippingDumpBody(Stream response, long? contentLength, DumpFormat zip, DumpFormat dump, string host, Func<IDumpExtras?> extras, IKuduTrace trace)
        {
            _host = host;
            _extras = extras;
            _trace = trace;
            Wire = new DumpBodyStream(response, contentLength, zip, host);
            _reader = new ZipStreamReader(Wire, host);
            Dump = new DumpBodyStream(new FirstEntryStream(this), null, dump, host,
                () => $"The first file in the zip from {host}{(_first == null ? string.Empty : " (" + _first.Display + ")")}");
        }

        /// <summary>The response body: bytes on the wire.</summary>
        public DumpBodyStream Wire { get; }

        /// <summary>The dump, unpacked, as the sink reads it.</summary>
        public DumpBodyStream Dump { get; }

        /// <summary>The extras stored beside the dump, by file name.</summary>
        public IReadOnlyList<string> ExtraNames => _extraNames;

        private async Task<ZipEntryStream> OpenFirstAsync(CancellationToken cancellationToken)
        {
            _first = await _reader.NextEntryAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new KuduException(KuduErrorKind.DumpEmpty, $"The zip from {_host} holds no file: no dump was written. Nothing was saved; ask for it again.");
            return _reader.Open(_first);
        }

        /// <summary>After the dump: every other entry into the extras (each verified to its end), then the rest of the archive.</summary>
        private async Task FinishArchiveAsync(CancellationToken cancellationToken)
        {
            IDumpExtras? extras = _extras();
            ZipEntry? entry;
            int count = 0;
            while ((entry = await _reader.NextEntryAsync(cancellationToken).ConfigureAwait(false)) != null)
            {
                if (++count > DumpExtras.MaxCount)
                {
                    throw ZipStreamReader.Corrupt($"The zip from {_host} holds more than {DumpExtras.MaxCount} files after the dump: not a zip Kudu writes. Nothing was saved.");
                }

                using ZipEntryStream content = _reader.Open(entry);
                string? name = DumpExtras.SafeName(entry.Name);
                if (extras == null || name == null || _extraNames.Contains(name))
                {
                    _trace.Verbose($"{entry.Display} in the zip from {_host} is checked but not kept ({(extras == null ? "the destination keeps no extras" : "no usable or a repeated file name")}).");
                }
                else
                {
                    await extras.AddAsync(name, content, cancellationToken).ConfigureAwait(false);
                    _extraNames.Add(name);
                }

                await content.SkipToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            await _reader.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The first entry; its end is the archive's end.</summary>
        private sealed class FirstEntryStream : ReadOnlyStream
        {
            private readonly UnzippingDumpBody _owner;
            private ZipEntryStream? _entry;
            private bool _ended;

            public FirstEntryStream(UnzippingDumpBody owner) => _owner = owner;

            public override int Read(byte[] buffer, int offset, int count) =>
                ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                if (_ended || count == 0)
                {
                    return 0;
                }

                _entry ??= await _owner.OpenFirstAsync(cancellationToken).ConfigureAwait(false);
                int read = await _entry.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
                if (read > 0)
                {
                    return read;
                }

                await _owner.FinishArchiveAsync(cancellationToken).ConfigureAwait(false);
                _ended = true;
                return 0;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _entry?.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
