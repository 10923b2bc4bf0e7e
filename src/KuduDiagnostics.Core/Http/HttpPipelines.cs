using System;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KuduDiagnostics.Http
{
    /// <summary>Retry and diagnostics settings shared by the Kudu, Resource Manager and blob pipelines.</summary>
    internal sealed class DiagnosticsClientOptions : ClientOptions
    {
        public DiagnosticsClientOptions()
        {
            ApplyRetry(Retry);

            // The same retries, said on the request's trace so -Verbose shows them.
            RetryPolicy = RetryTracePolicy.From(Retry);

            // Our own trace policy reports requests without headers; Azure.Core's event-source logging stays off.
            ApplyDiagnostics(Diagnostics);
        }

        /// <summary>Idempotent reads only; dumps opt out per request. Retry-After from the server wins over these delays.</summary>
        public static void ApplyRetry(RetryOptions retry)
        {
            retry.Mode = RetryMode.Exponential;
            retry.MaxRetries = 3;
            retry.Delay = TimeSpan.FromSeconds(0.5);
            retry.MaxDelay = TimeSpan.FromSeconds(30);
            retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        }

        public static void ApplyDiagnostics(DiagnosticsOptions diagnostics)
        {
            diagnostics.IsLoggingEnabled = false;
            diagnostics.IsDistributedTracingEnabled = false;
            diagnostics.ApplicationId = "KuduDiagnostics";
        }
    }

    /// <summary>Builds the one authenticated, traced, retrying pipeline a client talks through.</summary>
    internal static class HttpPipelines
    {
        public static DisposableHttpPipeline Build(HttpPipelinePolicy authentication)
        {
            var options = new HttpPipelineOptions(new DiagnosticsClientOptions()) { ResponseClassifier = new ReadRetryClassifier() };
            options.PerRetryPolicies.Add(authentication);
            options.PerRetryPolicies.Add(new TracePolicy());
            return HttpPipelineBuilder.Build(options, new HttpPipelineTransportOptions());
        }
    }
}
