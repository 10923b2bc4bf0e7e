using System;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// A zip's completeness from its end: the end of central directory record (Zip64 too) must be there, its
    /// comment must end the file, and the central directory it describes must end where that record begins.
    /// Keeps only the last 64 KiB or so as the bytes pass.
    /// </summary>
    internal sealed class ZipLayoutCheck : DumpLayoutCheck
    {
        private const uint EndOfCentralDirectory = 0x06054b50;
        private const uint Zip64EndLocator = 0x07064b50;
        private const uint Zip64End = 0x06064b50;
        private const int EndRecordSize = 22;

        // The record, the longest comment, the Zip64 locator and record.
        private readonly byte[] _ring = new byte[EndRecordSize + ushort.MaxValue + 20 + 56];
        private byte[] _tail = new byte[0];
        private long _seen;

        public ZipLayoutCheck()
        {
            Require(EndRecordSize);
        }

        public override string StructureName => "zip end of central directory";

        public override string Shortfall(long received) => "it has no intact end of central directory record";

        protected override void ObserveTail(byte[] buffer, int offset, int count)
        {
            // A ring: the last bytes land where the running count says, linearised once at the end.
            int keep = Math.Min(count, _ring.Length);
            long from = _seen + count - keep;
            int at = (int)(from % _ring.Length);
            int first = Math.Min(keep, _ring.Length - at);
            Buffer.BlockCopy(buffer, offset + count - keep, _ring, at, first);
            Buffer.BlockCopy(buffer, offset + count - keep + first, _ring, 0, keep - first);
            _seen += count;
        }

        public override void Complete(long length)
        {
            _tail = new byte[_ring.Length];
            int held = (int)Math.Min(_seen, _ring.Length);
            for (int i = 0; i < held; i++)
            {
                _tail[_ring.Length - held + i] = _ring[(int)((_seen - held + i) % _ring.Length)];
            }

            int start = _tail.Length - held;
            for (int at = _tail.Length - EndRecordSize; at >= start; at--)
            {
                if (U32(_tail, at) != EndOfCentralDirectory || at + EndRecordSize + U16(_tail, at + 20) != _tail.Length)
                {
                    continue;
                }

                long recordOffset = length - (_tail.Length - at);
                long directoryEnd = (long)U32(_tail, at + 16) + U32(_tail, at + 12);
                if (U32(_tail, at + 16) == uint.MaxValue && at - 20 >= start && U32(_tail, at - 20) == Zip64EndLocator)
                {
                    long zip64Offset = Clamp(U64(_tail, at - 20 + 8));
                    int zip64At = _tail.Length - (int)Math.Min(length - zip64Offset, int.MaxValue);
                    if (zip64At < start || zip64At + 56 > _tail.Length || U32(_tail, zip64At) != Zip64End)
                    {
                        break;
                    }

                    recordOffset = zip64Offset;
                    directoryEnd = Clamp(U64(_tail, zip64At + 48)) + Clamp(U64(_tail, zip64At + 40));
                }

                if (directoryEnd == recordOffset)
                {
                    Require(length);
                    return;
                }

                break;
            }

            // No record that fits: the archive ends early (or is no zip); one byte more than there is says so.
            Require(length + 1);
        }
    }
}
