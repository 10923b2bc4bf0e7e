namespace KuduEmulator;

/// <summary>
/// Counts what goes to the client; with a limit, lets that many bytes through and then stops the
/// writer. ZipArchive still writes its small data descriptors synchronously, which Kestrel forbids:
/// those are held and sent ahead of the next asynchronous write or flush.
/// </summary>
internal sealed class CountingStream(Stream inner, DumpProgress progress, long? limit) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    public sealed class LimitReachedException : Exception
    {
        public LimitReachedException() : base("Drop fault: byte budget reached.") { }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written + _pending.Length; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await SendAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override void Flush()
    {
        // Held bytes go out with the next asynchronous write or flush.
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        if (_pending.Length > 0)
        {
            var held = _pending.ToArray();
            _pending.SetLength(0);
            await SendAsync(held, ct);
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct)
    {
        var allowed = limit is { } max ? (int)Math.Min(buffer.Length, Math.Max(0, max - _written)) : buffer.Length;
        if (allowed > 0)
        {
            await inner.WriteAsync(buffer[..allowed], ct);
            _written += allowed;
            progress.Add(allowed);
        }
        if (allowed < buffer.Length)
        {
            throw new LimitReachedException();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }
        base.Dispose(disposing);
    }
}
