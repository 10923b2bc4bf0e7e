using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KuduDiagnostics.Http
{
    /// <summary>
    /// Reports every HTTP attempt to the caller's trace: method, URI without query secrets, status, time.
    /// Headers are never written (they carry the credentials).
    /// </summary>
    internal sealed class TracePolicy : HttpPipelinePolicy
    {
        public const string TraceProperty = "KuduDiagnostics.Trace";

        public static IKuduTrace TraceOf(HttpMessage message) =>
            message.TryGetProperty(TraceProperty, out object? value) && value is IKuduTrace trace ? trace : NullTrace.Instance;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline, async: true);

        private static async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
        {
            IKuduTrace trace = TraceOf(message);
            string target = $"{message.Request.Method} {RedactedUri.Of(message.Request.Uri.ToUri())}";
            var clock = Stopwatch.StartNew();
            try
            {
                if (async)
                {
                    await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                }
                else
                {
                    ProcessNext(message, pipeline);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                trace.Debug($"{target} failed after {clock.ElapsedMilliseconds} ms: {ex.GetType().Name}: {ex.Message}");
                throw;
            }

            trace.Debug($"{target} -> {message.Response.Status} {message.Response.ReasonPhrase} in {clock.ElapsedMilliseconds} ms");
        }
    }
}
