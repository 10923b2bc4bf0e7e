using System.Security.Cryptography;
using System.Text;

namespace KuduEmulator;

/// <summary>
/// Deterministic values derived from strings. string.GetHashCode is randomised per process,
/// so everything that must be stable across runs (instance ids, pids, dump bytes) goes through SHA-256.
/// </summary>
internal static class Det
{
    public static byte[] Hash(params object?[] parts)
    {
        var text = string.Join("|", parts.Select(p => p?.ToString() ?? ""));
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    public static ulong U64(params object?[] parts) => BitConverter.ToUInt64(Hash(parts), 0);

    /// <summary>Integer in [min, max) from the hash of the parts.</summary>
    public static int Range(int min, int max, params object?[] parts) =>
        min + (int)(U64(parts) % (ulong)(max - min));

    public static long Range64(long min, long max, params object?[] parts) =>
        min + (long)(U64(parts) % (ulong)(max - min));

    /// <summary>Lower-case hex of <paramref name="chars"/> characters (chains hashes when more than 64 are needed).</summary>
    public static string Hex(int chars, params object?[] parts)
    {
        var sb = new StringBuilder(chars);
        var seed = parts;
        var round = 0;
        while (sb.Length < chars)
        {
            sb.Append(Convert.ToHexStringLower(Hash([.. seed, round++])));
        }
        return sb.ToString(0, chars);
    }

    public static byte[] Bytes(int count, params object?[] parts)
    {
        var result = new byte[count];
        var round = 0;
        for (var offset = 0; offset < count; offset += 32)
        {
            var h = Hash([.. parts, "bytes", round++]);
            h.AsSpan(0, Math.Min(32, count - offset)).CopyTo(result.AsSpan(offset));
        }
        return result;
    }

    public static string Base64(int bytes, params object?[] parts) => Convert.ToBase64String(Bytes(bytes, parts));

    public static Guid Guid(params object?[] parts)
    {
        var b = Hash(parts).AsSpan(0, 16).ToArray();
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4 layout, so the value looks like a real object id
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        return new Guid(b);
    }

    /// <summary>SplitMix64: a cheap, well-mixed 64-bit step used to seed and vary dump blocks.</summary>
    public static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A random secret for this run (passwords, identity header, signing key).</summary>
    public static string Secret(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', 'x').Replace('/', 'z');
}
