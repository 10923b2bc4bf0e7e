using System.Buffers;
using System.Diagnostics;
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

    private static readonly byte[] Header = [(byte)'M', (byte)'D', (byte)'M', (byte)'P', 0x93, 0xA7, 0x00, 0x00];

    private readonly byte[] _base = new byte[BlockSize];
    private readonly ulong _seed;

    public DumpContent(ulong seed, long length)
    {
        _seed = seed;
        Length = Math.Max(0, length);
        FillBase(_base, seed);
    }

    public long Length { get; }

    public static DumpContent For(SiteFacts site, string instanceId, int pid, long dumpType, long length) =>
        new(Det.U64("dump", site.Name.ToLowerInvariant(), site.Slot?.ToLowerInvariant() ?? "",
            instanceId.ToLowerInvariant(), pid, dumpType), length);

    public long BlockCount => (Length + BlockSize - 1) / BlockSize;

    /// <summary>Writes block <paramref name="index"/> into <paramref name="dest"/> (its length decides how much).</summary>
    public void FillBlock(long index, Span<byte> dest)
    {
        var mask = Det.SplitMix(_seed ^ ((ulong)index * 0xD1B54A32D192ED03UL));
        var src = _base.AsSpan(0, dest.Length);
        var vectors = dest.Length / Vector<byte>.Count;
        var vSrc = MemoryMarshal.Cast<byte, Vector<ulong>>(src[..(vectors * Vector<byte>.Count)]);
        var vDst = MemoryMarshal.Cast<byte, Vector<ulong>>(dest[..(vectors * Vector<byte>.Count)]);
        var vMask = new Vector<ulong>(mask);
        for (var i = 0; i < vSrc.Length; i++)
        {
            vDst[i] = vSrc[i] ^ vMask;
        }
        for (var o = vectors * Vector<byte>.Count; o < dest.Length; o++)
        {
            dest[o] = (byte)(src[o] ^ (byte)(mask >> (o & 7) * 8));
        }
        if (index == 0)
        {
            Header.AsSpan(0, Math.Min(Header.Length, dest.Length)).CopyTo(dest);
        }
    }

    /// <summary>Streams the bytes, optionally stopping after <paramref name="maxBytes"/> and pacing to a rate.</summary>
    public async Task CopyToAsync(Stream destination, DumpProgress progress, long maxBytes, long paceBytesPerSecond,
        CancellationToken ct)
    {
        var limit = Math.Min(Length, maxBytes);
        var chunk = paceBytesPerSecond > 0 ? (int)Math.Clamp(paceBytesPerSecond / 20, 1024, BlockSize) : BlockSize;
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        try
        {
            for (long block = 0; sent < limit; block++)
            {
                var n = (int)Math.Min(BlockSize, Length - block * BlockSize);
                FillBlock(block, buffer.AsSpan(0, n));
                for (var offset = 0; offset < n && sent < limit;)
                {
                    var m = (int)Math.Min(Math.Min(chunk, n - offset), limit - sent);
                    await destination.WriteAsync(buffer.AsMemory(offset, m), ct);
                    offset += m;
                    sent += m;
                    progress.Add(m);
                    if (paceBytesPerSecond > 0)
                    {
                        var due = TimeSpan.FromSeconds((double)sent / paceBytesPerSecond) - clock.Elapsed;
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due, ct);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
                FillBlock(block, buffer.AsSpan(0, n));
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
