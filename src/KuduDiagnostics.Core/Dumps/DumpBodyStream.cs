using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// The dump response body as the sinks read it: counts bytes (progress and stall detection read the count),
    /// keeps the first four for the signature check, and turns a connection that breaks or ends early into a
    /// <see cref="KuduException"/> so a sink can tell network failures from its own.
    /// </summary>
    internal sealed class DumpBodyStream : Stream
    {
        private readonly Stream _inner;
        private readonly long? _expectedLength;
        private readonly string _host;
        private readonly byte[] _head = new byte[4];
        private long _position;

        public DumpBodyStream(Stream inner, long? expectedLength, string host)
        {
            _inner = inner;
            _expectedLength = expectedLength;
            _host = host;
        }

        /// <summary>Bytes read so far. Read from other threads for progress.</summary>
        public long BytesRead => Interlocked.Read(ref _position);

        public int HeadLength => (int)Math.Min(_head.Length, BytesRead);

        public byte[] Head => _head;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _expectedLength ?? throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read;
            try
            {
                read = _inner.Read(buffer, offset, count);
            }
            catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException)
            {
                throw Dropped(ex);
            }

            return Account(buffer, offset, read);
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int read;
            try
            {
                read = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is IOException || ex is ObjectDisposedException) && !cancellationToken.IsCancellationRequested)
            {
                throw Dropped(ex);
            }

            return Account(buffer, offset, read);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Account(byte[] buffer, int offset, int read)
        {
            if (read == 0)
            {
                if (_expectedLength is long expected && _position < expected)
                {
                    throw new KuduException(KuduErrorKind.DumpConnectionDropped,
                        $"The connection to {_host} ended after {_position:N0} of {expected:N0} bytes of the dump. The dump is incomplete and was discarded; ask for it again.");
                }

                return 0;
            }

            if (_position < _head.Length)
            {
                Buffer.BlockCopy(buffer, offset, _head, (int)_position, (int)Math.Min(read, _head.Length - _position));
            }

            Interlocked.Add(ref _position, read);
            if (_expectedLength is long length && _position > length)
            {
                throw new KuduException(KuduErrorKind.DumpIncomplete,
                    $"{_host} sent more bytes than its Content-Length ({length:N0}); the dump cannot be trusted and was discarded.");
            }

            return read;
        }

        private KuduException Dropped(Exception ex)
        {
            string of = _expectedLength is long expected ? $" of {expected:N0}" : string.Empty;
            return new KuduException(KuduErrorKind.DumpConnectionDropped,
                $"The connection to {_host} dropped after {BytesRead:N0}{of} bytes of the dump ({ex.Message}). The dump is incomplete and was discarded; ask for it again.",
                inner: ex);
        }
    }
}
