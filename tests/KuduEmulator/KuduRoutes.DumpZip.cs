using System.IO.Compression;
using System.Text;

namespace KuduEmulator;

/// <summary>
/// Kudu's format=zip (ProcessController.MiniDump with ZipStreamContent): .NET's ZipArchive writing onto the response
/// as it goes (chunked, no Content-Length), so every entry is deflated with CompressionLevel.Fastest and followed by a
/// data descriptor; minidump.dmp first, then sos.dll and mscordacwks.dll from the CLR folder, then the central
/// directory. Zip faults make it go wrong the ways a client must catch.
/// </summary>
internal sealed partial class KuduRoutes
{
    private static async Task WriteZipAsync(HttpContext ctx, RequestContext rc, DumpContent content, string? file, DumpProgress progress, long pace)
    {
        var ct = ctx.RequestAborted;
        await using var body = new CountingStream(ctx.Response.Body, progress, rc.DropAfterBytes);
        await using var wire = new ZipFaultStream(body, rc.ZipFault, rc.ZipCutAfter);
        try
        {
            await using (var archive = await ZipArchive.CreateAsync(wire, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                if (rc.ZipFault == "zipNotADump")
                {
                    await AddEntryAsync(archive, "error.txt", Encoding.UTF8.GetBytes("The dump could not be written: access is denied.\r\n"), ct);
                }
                var entry = archive.CreateEntry("minidump.dmp", CompressionLevel.Fastest);
                await using (var stream = await entry.OpenAsync(ct))
                {
                    if (file is null)
                    {
                        await content.CopyToAsync(stream, pace, ct);
                    }
                    else
                    {
                        await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
                        await source.CopyToAsync(stream, 1 << 20, ct);
                    }
                }
                foreach (var dll in new[] { "sos.dll", "mscordacwks.dll" })
                {
                    await AddEntryAsync(archive, dll, DllBytes(dll), ct);
                }
            }
            await wire.FlushAsync(ct); // sends whatever the archive wrote synchronously at the end
            await ctx.Response.CompleteAsync();
        }
        catch (CountingStream.LimitReachedException)
        {
            await Http.AbortAfterFlushAsync(ctx, rc);
        }
    }

    /// <summary>The bytes the emulator serves as a debugger dll of the zip (compare a client's copy with these).</summary>
    public static byte[] DllBytes(string name)
    {
        var bytes = Det.Bytes(24 * 1024, "dll", name);
        bytes[0] = (byte)'M';
        bytes[1] = (byte)'Z';
        return bytes;
    }

    private static async Task AddEntryAsync(ZipArchive archive, string name, byte[] bytes, CancellationToken ct)
    {
        await using var stream = await archive.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(ct);
        await stream.WriteAsync(bytes, ct);
    }
}

/// <summary>
/// Between ZipArchive and the response: passes everything through, except what a zip fault changes: the first data
/// descriptor's CRC-32 flipped (zipBadCrc) or left out (zipNoDescriptor), or nothing after a byte budget while the
/// response still ends cleanly (zipTruncated). Position stays what the archive wrote, as its offsets expect.
/// </summary>
internal sealed class ZipFaultStream(Stream inner, string? fault, long cutAfter) : Stream
{
    private static readonly byte[] DescriptorSignature = [0x50, 0x4B, 0x07, 0x08];
    private long _written;
    private long _sent;
    private bool _descriptorSeen;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (fault is null)
        {
            _written += buffer.Length;
            inner.Write(buffer);
            return;
        }
        var changed = Change(buffer);
        if (changed.Length > 0)
        {
            inner.Write(changed);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (fault is null)
        {
            _written += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }
        var changed = Change(buffer.Span);
        if (changed.Length > 0)
        {
            await inner.WriteAsync(changed, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>What of these bytes goes on: the same, a changed copy, or less.</summary>
    private byte[] Change(ReadOnlySpan<byte> buffer)
    {
        _written += buffer.Length;
        var bytes = buffer.ToArray();
        bool descriptor = !_descriptorSeen && (bytes.Length == 16 || bytes.Length == 24) && bytes.AsSpan(0, 4).SequenceEqual(DescriptorSignature);
        if (descriptor)
        {
            _descriptorSeen = true;
            if (fault == "zipNoDescriptor")
            {
                return [];
            }
            if (fault == "zipBadCrc")
            {
                bytes[4] ^= 0xFF;
            }
        }
        if (fault == "zipTruncated")
        {
            var allowed = (int)Math.Clamp(cutAfter - _sent, 0, bytes.Length);
            _sent += allowed;
            return allowed == bytes.Length ? bytes : bytes[..allowed];
        }
        return bytes;
    }
}
