using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KuduEmulator;

/// <summary>Bytes handed to the client so far (read by the stats even when the copy is cut short).</summary>
internal sealed class DumpProgress
{
    private long _sent;
    public long Sent => Interlocked.Read(ref _sent);
    public void Add(long n) => Interlocked.Add(ref _sent, n);
}

/// <summary>
/// The bytes of one emulated dump: "MDMP" + a minidump version, then pseudo-random bytes that are a
/// pure function of (site, slot, instance, pid, dumpType). A 1 MiB base block is generated once per
/// dump; block i is the base XOR a 64-bit mask derived from i, which costs one vectorised pass —
/// far cheaper than the socket, so the emulator never limits a throughput benchmark.
/// </summary>
internal sealed class DumpContent
{
    public const int BlockSize = 1 << 20;

    /// <summary>How much is handed to Kestrel per flush on the raw path.</summary>
    private const int WriteChunk = 1 << 20;

    /// <summary>Size of each buffer asked of Kestrel: above its 4 KB pool blocks, so fewer, larger sends.</summary>
    private const int SegmentHint = 64 * 1024;

    private readonly byte[] _header;
    private readonly byte[] _base;
    private readonly ulong _seed;

    public DumpContent(ulong seed, long length)
    {
        _seed = seed;
        Length = Math.Max(0, length);
        // A small dump only needs the start of the base block (same bytes: the generator is sequential).
        _base = new byte[(Math.Min(BlockSize, Length) + 7) & ~7];
        FillBase(_base, seed);
        _header = MinidumpHeader(Length);
    }

    /// <summary>
    /// The start of a minidump whose structure says it is exactly <paramref name="length"/> bytes, as a real one
    /// does: the header, a one-entry stream directory (Memory64ListStream), and one memory range that runs to the
    /// end of the file. Clients check a dump's length against this.
    /// </summary>
    public static byte[] MinidumpHeader(long length)
    {
        const int headerSize = 32, directorySize = 12, listSize = 16 + 16;
        const int baseRva = headerSize + directorySize + listSize;
        if (length < baseRva)
        {
            return [(byte)'M', (byte)'D', (byte)'M', (byte)'P', 0x93, 0xA7, 0x00, 0x00];
        }
        var header = new byte[baseRva];
        var span = header.AsSpan();
        "MDMP"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 0x0000A793);          // MINIDUMP_VERSION
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 1);                   // NumberOfStreams
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], headerSize);         // StreamDirectoryRva
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 0x6570B2C0);         // TimeDateStamp
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], 0x2);                // Flags: MiniDumpWithFullMemory
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], 9);                  // Memory64ListStream
        BinaryPrimitives.WriteUInt32LittleEndian(span[36..], listSize);           //   DataSize
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], headerSize + directorySize); // Rva
        BinaryPrimitives.WriteUInt64LittleEndian(span[44..], 1);                  // NumberOfMemoryRanges
        BinaryPrimitives.WriteUInt64LittleEndian(span[52..], baseRva);            // BaseRva
        BinaryPrimitives.WriteUInt64LittleEndian(span[60..], 0x7FF600000000);     // StartOfMemoryRange
        BinaryPrimitives.WriteUInt64LittleEndian(span[68..], (ulong)(length - baseRva)); // DataSize
        return header;
    }

    public long Length { get; }

    public static DumpContent For(SiteFacts site, string instanceId, int pid, long dumpType, long length) =>
        new(Det.U64("dump", site.Name.ToLowerInvariant(), site.Slot?.ToLowerInvariant() ?? "",
            instanceId.ToLowerInvariant(), pid, dumpType), length);

    public long BlockCount => (Length + BlockSize - 1) / BlockSize;

    /// <summary>Writes the bytes at <paramref name="position"/> into <paramref name="dest"/>.</summary>
    public void Fill(long position, Span<byte> dest)
    {
        while (dest.Length > 0)
        {
            var block = position / BlockSize;
            var offset = (int)(position % BlockSize);
            var n = Math.Min(dest.Length, BlockSize - offset);
            XorBlock(block, offset, dest[..n]);
            if (position < _header.Length)
            {
                _header.AsSpan((int)position, (int)Math.Min(_header.Length - position, n)).CopyTo(dest);
            }
            position += n;
            dest = dest[n..];
        }
    }

    /// <summary>dest = base[offset..] XOR the block's mask; the mask is rotated to the byte phase of offset.</summary>
    private void XorBlock(long block, int offset, Span<byte> dest)
    {
        var mask = Det.SplitMix(_seed ^ ((ulong)block * 0xD1B54A32D192ED03UL));
        var phased = BitOperations.RotateRight(mask, (offset & 7) * 8);
        var src = _base.AsSpan(offset, dest.Length);
        var whole = dest.Length / Vector<byte>.Count * Vector<byte>.Count;
        var vSrc = MemoryMarshal.Cast<byte, Vector<ulong>>(src[..whole]);
        var vDst = MemoryMarshal.Cast<byte, Vector<ulong>>(dest[..whole]);
        var vMask = new Vector<ulong>(phased);
        for (var i = 0; i < vSrc.Length; i++)
        {
            vDst[i] = vSrc[i] ^ vMask;
        }
        for (var j = whole; j < dest.Length; j++)
        {
            dest[j] = (byte)(src[j] ^ (byte)(phased >> (j & 7) * 8));
        }
    }

    /// <summary>
    /// Streams into Kestrel's own output buffers (no intermediate copy), optionally stopping after
    /// <paramref name="maxBytes"/> and pacing to a rate.
    /// </summary>
    public async Task CopyToAsync(PipeWriter destination, DumpProgress progress, long maxBytes, long paceBytesPerSecond,
        CancellationToken ct)
    {
        var limit = Math.Min(Length, maxBytes);
        var chunk = paceBytesPerSecond > 0 ? (int)Math.Clamp(paceBytesPerSecond / 20, 1024, WriteChunk) : WriteChunk;
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (sent < limit)
        {
            // Fill Kestrel's buffers (whatever size it hands out) up to one chunk, then flush once.
            var batch = (int)Math.Min(chunk, limit - sent);
            for (var filled = 0; filled < batch;)
            {
                var memory = destination.GetMemory(Math.Min(batch - filled, SegmentHint));
                var n = Math.Min(memory.Length, batch - filled);
                Fill(sent + filled, memory.Span[..n]);
                destination.Advance(n);
                filled += n;
            }
            var flush = await destination.FlushAsync(ct);
            sent += batch;
            progress.Add(batch);
            if (flush.IsCanceled || flush.IsCompleted)
            {
                throw new OperationCanceledException("The client stopped reading.");
            }
            await PaceAsync(clock, sent, paceBytesPerSecond, ct);
        }
    }

    /// <summary>Streams through a Stream (the zip entry), same bytes as the PipeWriter path.</summary>
    public async Task CopyToAsync(Stream destination, long paceBytesPerSecond, CancellationToken ct)
    {
        var chunk = paceBytesPerSecond > 0 ? (int)Math.Clamp(paceBytesPerSecond / 20, 1024, BlockSize) : BlockSize;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        var clock = Stopwatch.StartNew();
        try
        {
            for (long sent = 0; sent < Length;)
            {
                var n = (int)Math.Min(chunk, Length - sent);
                Fill(sent, buffer.AsSpan(0, n));
                await destination.WriteAsync(buffer.AsMemory(0, n), ct);
                sent += n;
                await PaceAsync(clock, sent, paceBytesPerSecond, ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Task PaceAsync(Stopwatch clock, long sent, long paceBytesPerSecond, CancellationToken ct)
    {
        if (paceBytesPerSecond <= 0)
        {
            return Task.CompletedTask;
        }
        var due = TimeSpan.FromSeconds((double)sent / paceBytesPerSecond) - clock.Elapsed;
        return due > TimeSpan.Zero ? Task.Delay(due, ct) : Task.CompletedTask;
    }

    public string Sha256Hex()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            for (long block = 0; block < BlockCount; block++)
            {
                var n = (int)Math.Min(BlockSize, Length - block * BlockSize);
                Fill(block * BlockSize, buffer.AsSpan(0, n));
                hash.AppendData(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>xoshiro256** over the base block: fast, and good enough to defeat compression.</summary>
    private static void FillBase(byte[] block, ulong seed)
    {
        ulong s0 = Det.SplitMix(seed), s1 = Det.SplitMix(s0), s2 = Det.SplitMix(s1), s3 = Det.SplitMix(s2);
        var words = MemoryMarshal.Cast<byte, ulong>(block.AsSpan());
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = BitOperations.RotateLeft(s1 * 5, 7) * 9;
            var t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = BitOperations.RotateLeft(s3, 45);
        }
    }
}
