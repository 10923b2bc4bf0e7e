using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// The dump response body as the sinks read it: counts bytes (progress and stall detection read the count),
    /// checks the format's signature on the first bytes and the announced length at the end (the one place that
    /// does), and turns a connection that breaks or ends early into a <see cref="KuduException"/> so a sink can
    /// tell network failures from its own.
    /// </summary>
    internal sealed class DumpBodyStream : ReadOnlyStream
    {
        private readonly Stream _inner;
        private readonly long? _expectedLength;
        private readonly string _host;
        private readonly byte[] _signature;
        private readonly byte[] _head;
        private readonly DumpFormat _format;
        private readonly DumpLayoutCheck _layout;
        private readonly Func<string>? _source;
        private long _position;

        /// <param name="inner">The body as it arrives (the response, or the first file inflated out of Kudu's zip).</param>
        /// <param name="expectedLength">The length the server announced, when it did.</param>
        /// <param name="format">The dump format: its signature and how its structure gives its length.</param>
        /// <param name="host">The SCM host, for messages.</param>
        /// <param name="source">What the body is when it is not the response itself (a file in Kudu's zip), for messages.</param>
        public DumpBodyStream(Stream inner, long? expectedLength, DumpFormat format, string host, Func<string>? source = null)
        {
            _source = source;
            _inner = inner;
            _expectedLength = expectedLength;
            _format = format;
            _signature = format.Signature;
            _head = new byte[_signature.Length];
            _host = host;
            _layout = DumpLayoutCheck.For(format.Layout);
        }

        /// <summary>Why the file's structure could not be checked to its end; null when it was.</summary>
        public string? LayoutUnverified => _layout.Unverified;

        /// <summary>Bytes read so far. Read from other threads for progress.</summary>
        public long BytesRead => Interlocked.Read(ref _position);

        /// <summary>True once the first bytes match the format's signature; decided when they arrive.</summary>
        public bool SignatureValid { get; private set; }

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
                CheckEnd();
                return 0;
            }

            if (_position < _head.Length)
            {
                CheckSignature(buffer, offset, read);
            }

            _layout.Observe(buffer, offset, read, _position);
            Interlocked.Add(ref _position, read);
            if (_expectedLength is long length && _position > length)
            {
                throw new KuduException(KuduErrorKind.DumpIncomplete,
                    $"{_host} sent more bytes than its Content-Length ({length:N0}); the dump cannot be trusted and was discarded.");
            }

            return read;
        }

        /// <summary>The body ended: it must be as long as the server announced and as the file's own structure says.</summary>
        private void CheckEnd()
        {
            if (_expectedLength is long expected && _position < expected)
            {
                throw new KuduException(KuduErrorKind.DumpConnectionDropped,
                    $"The connection to {_host} ended after {_position:N0} of {expected:N0} bytes of the dump. The dump is incomplete and was discarded; ask for it again.");
            }

            if (_position == 0 && _source != null)
            {
                throw new KuduException(KuduErrorKind.DumpEmpty, $"{_source()} is empty: no dump was written. Nothing was saved; ask for it again.");
            }

            if (_position == 0)
            {
                throw new KuduException(KuduErrorKind.DumpEmpty,
                    $"{_host} answered the dump request with an empty body: no dump was written. Nothing was saved; ask for it again, and check the site's Kudu log if it repeats.");
            }

            if (_position < _head.Length)
            {
                throw NotADump((int)_position);
            }

            _layout.Complete(_position);
            if (_layout.RequiredLength > _position)
            {
                throw new KuduException(KuduErrorKind.DumpIncomplete,
                    $"The dump from {_host} ended after {_position:N0} bytes, but {_layout.Shortfall(_position)}: expected {_layout.RequiredLength:N0} bytes, received {_position:N0}. The connection closed early; the dump is incomplete and was discarded. Ask for it again.");
            }
        }

        private KuduException NotADump(int shown)
        {
            string first = shown == 0 ? "nothing" : BitConverter.ToString(_head, 0, shown).Replace('-', ' ');
            if (_source != null)
            {
                return new KuduException(KuduErrorKind.NotADump,
                    $"{_source()} is not a {_format.SignatureName} (it starts with {first}): the zip does not hold the dump first. Nothing was saved.");
            }

            return new KuduException(KuduErrorKind.NotADump,
                $"{_host} answered the dump request with something that is not a {_format.SignatureName} (it starts with {first}): an error or sign-in page, or a proxy's answer. Nothing was saved.");
        }

        private void CheckSignature(byte[] buffer, int offset, int read)
        {
            int copied = (int)Math.Min(read, _head.Length - _position);
            Buffer.BlockCopy(buffer, offset, _head, (int)_position, copied);
            if (_position + copied == _head.Length)
            {
                bool valid = true;
                for (int i = 0; valid && i < _head.Length; i++)
                {
                    valid = _head[i] == _signature[i];
                }

                SignatureValid = valid;
                if (!valid)
                {
                    throw NotADump(_head.Length);
                }
            }
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
