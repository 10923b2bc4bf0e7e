using Microsoft.Win32.SafeHandles;

namespace KuduEmulator;

/// <summary>
/// A fast server for throughput benchmarks: a pre-made file as the dump body. Read straight into Kestrel's own
/// buffers, 1 MiB per flush: SendFileAsync's fallback on Linux writes and flushes 16 KiB at a time, which capped
/// loopback near the client's own pace here and so hid what the client costs.
/// </summary>
internal sealed partial class KuduRoutes
{
    private const int FileFlushBytes = 1 << 20;

    private static async Task ServeDumpFileAsync(HttpContext ctx, string path, DumpProgress progress, CancellationToken ct)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(file);
        ctx.Response.ContentLength = length;
        var writer = ctx.Response.BodyWriter;
        for (long sent = 0; sent < length;)
        {
            int batch = (int)Math.Min(FileFlushBytes, length - sent);
            for (int filled = 0; filled < batch;)
            {
                var memory = writer.GetMemory(Math.Min(batch - filled, 64 * 1024));
                int n = RandomAccess.Read(file, memory.Span[..Math.Min(memory.Length, batch - filled)], sent + filled);
                if (n == 0)
                {
                    throw new IOException($"'{path}' ended early.");
                }
                writer.Advance(n);
                filled += n;
            }
            var flush = await writer.FlushAsync(ct);
            sent += batch;
            progress.Add(batch);
            if (flush.IsCanceled || flush.IsCompleted)
            {
                throw new OperationCanceledException("The client stopped reading.");
            }
        }
        await ctx.Response.CompleteAsync();
    }
}
