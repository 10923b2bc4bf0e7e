using System;
using System.Collections.Generic;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Dumps
{
    /// <summary>
    /// Learns, from the bytes as they stream past, how long a dump must be: a body that ends before that length is
    /// incomplete whatever the transport said (a connection closed early without Content-Length looks like a clean
    /// end). The hot path is one comparison per read: only the few regions the format's headers point at are
    /// copied, as they pass.
    /// </summary>
    internal abstract class DumpLayoutCheck
    {
        // A directory or range list larger than this is not a dump we can believe.
        private const int MaxRegionBytes = 64 * 1024 * 1024;

        private readonly List<Region> _pending = new List<Region>();
        private long _nextPendingOffset = long.MaxValue;

        // Bytes before this offset have passed and can no longer be captured.
        private long _gone;

        /// <summary>The length the structure read so far requires; grows as more of it is read.</summary>
        public long RequiredLength { get; private set; }

        /// <summary>What the structure is called in messages: "minidump stream directory".</summary>
        public abstract string StructureName { get; }

        /// <summary>Why a body of <paramref name="received"/> bytes is short, for the message.</summary>
        public virtual string Shortfall(long received) => $"its {StructureName} says it is {RequiredLength:N0} bytes long";

        /// <summary>Why the whole length could not be learnt (a header pointing backwards, a big-endian core); null when it was.</summary>
        public string? Unverified { get; protected set; }

        public static DumpLayoutCheck For(DumpLayout layout) => layout switch
        {
            DumpLayout.Minidump => new MinidumpLayoutCheck(),
            DumpLayout.ElfCore => new ElfCoreLayoutCheck(),
            DumpLayout.Zip => new ZipLayoutCheck(),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "No dump is downloaded in this layout."),
        };

        /// <summary>Sees <paramref name="count"/> bytes that sit at <paramref name="position"/> in the file, in order.</summary>
        public void Observe(byte[] buffer, int offset, int count, long position)
        {
            long end = position + count;
            if (_nextPendingOffset < end)
            {
                _gone = position;
                FillPending(buffer, offset, count, position);
            }

            _gone = end;
            ObserveTail(buffer, offset, count);
        }

        /// <summary>Called once at the end of the body, with its length: the last word on the required length.</summary>
        public virtual void Complete(long length)
        {
        }

        /// <summary>For a format whose structure is at its end (zip): every byte as it passes.</summary>
        protected virtual void ObserveTail(byte[] buffer, int offset, int count)
        {
        }

        /// <summary>At least this many bytes must be there.</summary>
        protected void Require(long length)
        {
            if (length > RequiredLength)
            {
                RequiredLength = length;
            }
        }

        /// <summary>Asks for the bytes at [offset, offset + length) once they pass; <paramref name="parse"/> gets them.</summary>
        protected void Want(long offset, long length, Action<byte[]> parse)
        {
            Require(offset + length);
            if (length > MaxRegionBytes || offset < 0 || length < 0)
            {
                Unverified ??= $"a region of {length:N0} bytes at offset {offset:N0} is beyond what is checked";
                return;
            }

            if (offset < _gone)
            {
                // Written before the header that points at it: gone by now. The rest of the check still holds.
                Unverified ??= $"a structure at offset {offset:N0} comes before the header that points at it";
                return;
            }

            if (length == 0)
            {
                parse(new byte[0]);
                return;
            }

            _pending.Add(new Region(offset, new byte[length], parse));
            _nextPendingOffset = Math.Min(_nextPendingOffset, offset);
        }

        private void FillPending(byte[] buffer, int offset, int count, long position)
        {
            long end = position + count;
            bool progressed = true;
            while (progressed)
            {
                progressed = false;
                foreach (Region region in _pending.ToArray())
                {
                    long from = region.Offset + region.Filled;
                    if (from < position || from >= end)
                    {
                        continue;
                    }

                    int n = (int)Math.Min(region.Bytes.Length - region.Filled, end - from);
                    Buffer.BlockCopy(buffer, offset + (int)(from - position), region.Bytes, region.Filled, n);
                    region.Filled += n;
                    progressed = true;
                    if (region.Filled == region.Bytes.Length)
                    {
                        // A parse may want more regions, perhaps inside this same buffer: the loop looks again.
                        _pending.Remove(region);
                        region.Parse(region.Bytes);
                    }
                }
            }

            _nextPendingOffset = long.MaxValue;
            foreach (Region region in _pending)
            {
                _nextPendingOffset = Math.Min(_nextPendingOffset, region.Offset + region.Filled);
            }
        }

        protected static uint U32(byte[] b, int at) => (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

        protected static ushort U16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);

        protected static ulong U64(byte[] b, int at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;

        /// <summary>A length from the file, clamped so sums of hostile values cannot overflow.</summary>
        protected static long Clamp(ulong value) => value > long.MaxValue / 4 ? long.MaxValue / 4 : (long)value;

        private sealed class Region
        {
            public Region(long offset, byte[] bytes, Action<byte[]> parse)
            {
                Offset = offset;
                Bytes = bytes;
                Parse = parse;
            }

            public long Offset { get; }
            public byte[] Bytes { get; }
            public Action<byte[]> Parse { get; }
            public int Filled { get; set; }
        }
    }
}
