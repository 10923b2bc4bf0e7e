using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace KuduDiagnostics.Dumps.Zip
{
    /// <summary>
    /// The archive's bytes, forward only, with the last <see cref="RewindReach"/> bytes handed out kept so they can be
    /// given back: DeflateStream reads ahead past the end of an entry's data (its buffer, 8 KiB), and what it took
    /// beyond that end is the entry's data descriptor and the next header.
    /// </summary>
    internal sealed class ZipSource
    {
        /// <summary>How far back the position can go; far more than DeflateStream reads ahead.</summary>
        public const int RewindReach = 64 * 1024;

        private const int ReadSize = 1024 * 1024;

        private readonly Stream _wire;
        private readonly byte[] _buffer = new byte[ReadSize + 2 * RewindReach];
        private long _bufferStart;
        private int _position;
        private int _end;
        private bool _ended;

        public ZipSource(Stream wire)
        {
            _wire = wire;
        }

        /// <summary>The offset in the archive of the next byte to be handed out.</summary>
        public long Position => _bufferStart + _position;

        /// <summary>The earliest offset <see cref="Rewind"/> still accepts.</summary>
        public long EarliestKept => _bufferStart;

        /// <summary>True when the wire ended and every byte has been handed out.</summary>
        public bool Ended => _ended && _position == _end;

        /// <summary>The bytes at the position, valid until the next read; <see cref="Available"/> of them.</summary>
        public byte[] Buffer => _buffer;

        public int Offset => _position;

        public int Available => _end - _position;

        /// <summary>Makes at least <paramref name="count"/> bytes (at most <see cref="RewindReach"/>) available; false when the wire ends first.</summary>
        public async Task<bool> EnsureAsync(int count, CancellationToken cancellationToken)
        {
            while (_end - _position < count)
            {
                if (_ended)
                {
                    return false;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }

        /// <summary>Hands out up to <paramref name="count"/> bytes; 0 only when the wire has ended.</summary>
        public async Task<int> ReadAsync(byte[] destination, int offset, int count, CancellationToken cancellationToken)
        {
            while (_position == _end)
            {
                if (_ended)
                {
                    return 0;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            int n = Math.Min(count, _end - _position);
            System.Buffer.BlockCopy(_buffer, _position, destination, offset, n);
            _position += n;
            return n;
        }

        /// <summary>Moves past <paramref name="count"/> available bytes.</summary>
        public void Skip(int count)
        {
            if (count > _end - _position)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            _position += count;
        }

        /// <summary>Goes back (or forward, within what was read) to an offset in the archive.</summary>
        public void Rewind(long offset)
        {
            if (offset < _bufferStart || offset > _bufferStart + _end)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), $"Offset {offset:N0} is no longer kept.");
            }

            _position = (int)(offset - _bufferStart);
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_buffer.Length - _end < ReadSize / 2)
            {
                // Keep what is unread and the last RewindReach bytes before it; the rest has passed for good.
                int keepFrom = Math.Max(0, _position - RewindReach);
                System.Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, _end - keepFrom);
                _bufferStart += keepFrom;
                _position -= keepFrom;
                _end -= keepFrom;
            }

            int read = await _wire.ReadAsync(_buffer, _end, _buffer.Length - _end, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _ended = true;
            }

            _end += read;
        }
    }
}
