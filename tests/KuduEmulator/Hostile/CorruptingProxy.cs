using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace KuduEmulator.Hostile;

/// <summary>
/// A network path that damages data: forwards a blob request to storage as it came, except that one byte of a
/// block's body (Put Block, comp=block) is flipped. Headers (and so the shared-key signature and any Content-MD5)
/// are left alone, exactly what a faulty middlebox does; only a checksum of the body can notice.
/// </summary>
internal static class CorruptingProxy
{
    public static async Task ForwardAsync(HostileRequest request, NetworkStream client, Uri storage, Func<bool> corruptThisBlock, CancellationToken ct)
    {
        long length = long.TryParse(request.Header("Content-Length"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
        var body = new byte[length];
        for (int read = 0; read < length;)
        {
            int got = await client.ReadAsync(body.AsMemory(read, (int)length - read), ct);
            if (got == 0)
            {
                return;
            }
            read += got;
        }

        // Blob data (Put Blob, or Put Block with comp=block), not block lists; a one-byte write probe passes untouched.
        bool isData = request.RequestLine.StartsWith("PUT ", StringComparison.Ordinal)
            && (!request.Query.TryGetValue("comp", out var comp) || comp == "block");
        if (isData && body.Length > 1024 && corruptThisBlock())
        {
            body[body.Length / 2] ^= 0x01;
        }

        using var upstream = new TcpClient();
        await upstream.ConnectAsync(storage.Host, storage.Port, ct);
        var server = upstream.GetStream();
        var head = new StringBuilder();
        head.Append(request.RequestLine).Append("\r\n");
        foreach (var (name, value) in request.Headers)
        {
            if (!name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && !name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }
        head.Append(CultureInfo.InvariantCulture, $"Host: {storage.Authority}\r\nConnection: close\r\n\r\n");
        await server.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), ct);
        await server.WriteAsync(body, ct);
        await server.FlushAsync(ct);

        // The answer goes back untouched; storage closes after it (Connection: close), and so do we.
        await server.CopyToAsync(client, ct);
    }
}
