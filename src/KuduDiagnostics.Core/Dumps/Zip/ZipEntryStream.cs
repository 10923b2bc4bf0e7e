using System;
using System.IO;
using System.IO.Compression;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Dumps.Zip
{
    /// <summary>
    /// One entry's content, inflated as it is read. The read that reaches the end checks CRC-32 and sizes and only then
    /// returns 0: a reader that saw the end has seen a verified entry.
    /// </summary>
    internal sealed class ZipEntryStream : ReadOnlyStream
    {
        private readonly ZipStreamReader _reader;
        private readonly ZipEntry _entry;
        private readonly DeflateStream? _inflater;
        private readonly System.IO.Hashing.Crc32 _crc = new System.IO.Hashing.Crc32();
        private long _length;
        private bool _ended;

        public ZipEntryStream(ZipStreamReader reader, ZipEntry entry)
        {
            _reader = reader;
            _entry = entry;
            if (entry.Method == 8)
            {
                _inflater = new DeflateStream(new SourceStream(reader.Source), CompressionMode.Decompress, leaveOpen: true);
            }
        }

        public ZipEntry Entry => _entry;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_ended || count == 0)
            {
                return 0;
            }

            int read = await ReadDataAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _crc.Append(new ReadOnlySpan<byte>(buffer, offset, read));
                _length += read;
                return read;
            }

            await _reader.EndEntryAsync(_entry, _crc.GetCurrentHashAsUInt32(), _length, cancellationToken).ConfigureAwait(false);
            _ended = true;
            return 0;
        }

        /// <summary>Reads whatever is left of the entry to its verified end, when what it holds is not wanted.</summary>
        public async Task SkipToEndAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            while (await ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inflater?.Dispose();
            }

            base.Dispose(disposing);
        }

        private async Task<int> ReadDataAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_inflater == null)
            {
                long left = _entry.CompressedSize - _length;
                if (left <= 0)
                {
                    return 0;
                }

                int read = await _reader.Source.ReadAsync(buffer, offset, (int)Math.Min(count, left), cancellationToken).ConfigureAwait(false);
                return read > 0 ? read : throw _reader.Truncated($"inside {_entry.Display}, {_length:N0} of its {_entry.CompressedSize:N0} bytes read");
            }

            int inflated;
            try
            {
                inflated = await _inflater.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                if (_reader.Source.Ended)
                {
                    throw _reader.Truncated($"inside {_entry.Display}, after {_length:N0} bytes unpacked");
                }

                throw ZipStreamReader.Corrupt($"{_entry.Display} in the zip from its server is not valid deflate data ({ex.Message}). The archive is corrupt and was discarded; ask for the dump again.");
            }

            if (inflated == 0 && _reader.Source.Ended)
            {
                // The inflater may report the wire's end as its own: the descriptor search tells a real end apart.
                return 0;
            }

            return inflated;
        }

        /// <summary>The source as DeflateStream reads it: bytes it takes past the entry's end are given back later.</summary>
        private sealed class SourceStream : ReadOnlyStream
        {
            private readonly ZipSource _source;

            public SourceStream(ZipSource source) => _source = source;

            public override int Read(byte[] buffer, int offset, int count) =>
                _source.ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                _source.ReadAsync(buffer, offset, count, cancellationToken);
        }
    }
}
