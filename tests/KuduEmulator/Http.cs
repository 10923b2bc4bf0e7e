using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KuduEmulator;

/// <summary>Per-request state shared by the front end (auth, faults) and the handlers.</summary>
internal sealed class RequestContext
{
    /// <summary>Set by a "drop" fault: send this many body bytes after full headers, then abort.</summary>
    public long? DropAfterBytes { get; set; }

    /// <summary>True once a drop fault actually cut the connection.</summary>
    public bool Dropped { get; set; }

    /// <summary>Set by a zip fault (zipTruncated, zipBadCrc, zipNoDescriptor, zipNotADump): how format=zip goes wrong.</summary>
    public string? ZipFault { get; set; }

    /// <summary>zipTruncated: the archive ends cleanly after this many bytes.</summary>
    public long ZipCutAfter { get; set; }
}

internal static class Http
{
    public const string JsonContentType = "application/json; charset=utf-8";

    // Newtonsoft (which Kudu and ARM use) does not escape '+', '<', non-ASCII...: match it loosely.
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Scheme + host exactly as the client addressed us: Kudu builds hrefs from the request URI.</summary>
    public static string BaseUrl(HttpContext ctx) =>
        "http://" + (ctx.Request.Host.HasValue
            ? ctx.Request.Host.Value
            : $"127.0.0.1:{ctx.Connection.LocalPort}");

    public static string HostName(HttpContext ctx) =>
        ctx.Request.Host.HasValue ? ctx.Request.Host.Host : "127.0.0.1";

    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static Task WriteJsonAsync(HttpContext ctx, RequestContext rc, int status, Action<Utf8JsonWriter> write) =>
        WriteBytesAsync(ctx, rc, status, JsonContentType, Json(write));

    public static Task WriteJsonAsync(HttpContext ctx, RequestContext rc, int status, object value) =>
        WriteBytesAsync(ctx, rc, status, JsonContentType, JsonSerializer.SerializeToUtf8Bytes(value, WebJson));

    /// <summary>Web API's HttpError shape: {"Message":"..."}.</summary>
    public static Task WriteKuduErrorAsync(HttpContext ctx, RequestContext rc, int status, string message) =>
        WriteJsonAsync(ctx, rc, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("Message", message);
            w.WriteEndObject();
        });

    /// <summary>Resource Manager's error shape: {"error":{"code":"...","message":"..."}}.</summary>
    public static Task WriteArmErrorAsync(HttpContext ctx, RequestContext rc, int status, string code, string message) =>
        WriteJsonAsync(ctx, rc, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public static Task WriteTextAsync(HttpContext ctx, RequestContext rc, int status, string contentType, string text) =>
        WriteBytesAsync(ctx, rc, status, contentType, Encoding.UTF8.GetBytes(text));

    public static Task WriteStatusAsync(HttpContext ctx, int status)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>Writes a complete body with Content-Length, honouring a pending drop fault.</summary>
    public static async Task WriteBytesAsync(HttpContext ctx, RequestContext rc, int status, string contentType, byte[] body)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        if (contentType.StartsWith("text/", StringComparison.Ordinal) && !contentType.Contains("charset", StringComparison.Ordinal))
        {
            contentType += "; charset=utf-8";
        }
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (rc.DropAfterBytes is { } cut && cut < body.Length)
        {
            await response.Body.WriteAsync(body.AsMemory(0, (int)cut), ctx.RequestAborted);
            await AbortAfterFlushAsync(ctx, rc);
            return;
        }
        await response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    /// <summary>
    /// Flushes what was written so far, gives the socket a moment to hand it to the peer, then
    /// resets the connection: the client sees a short body against a longer Content-Length.
    /// </summary>
    public static async Task AbortAfterFlushAsync(HttpContext ctx, RequestContext rc)
    {
        try
        {
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(50, ctx.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client left first; nothing more to do.
        }
        rc.Dropped = true;
        ctx.Abort();
    }

    /// <summary>The connection is gone (client left, drop fault, shutdown): not an error to report.</summary>
    public static bool IsClientGone(Exception ex, HttpContext ctx) =>
        ex is OperationCanceledException or IOException || ctx.RequestAborted.IsCancellationRequested;
}
