using System;
using Azure.Core;

namespace KuduDiagnostics.Kudu
{
    /// <summary>Retry and diagnostics settings shared by the Kudu and Resource Manager pipelines.</summary>
    internal sealed class KuduClientOptions : ClientOptions
    {
        public KuduClientOptions()
        {
            // Idempotent reads only; dumps opt out per request. Retry-After from the server wins over these delays.
            Retry.Mode = RetryMode.Exponential;
            Retry.MaxRetries = 3;
            Retry.Delay = TimeSpan.FromSeconds(0.5);
            Retry.MaxDelay = TimeSpan.FromSeconds(30);
            Retry.NetworkTimeout = TimeSpan.FromSeconds(100);

            // Our own trace policy reports requests without headers; Azure.Core's event-source logging stays off.
            Diagnostics.IsLoggingEnabled = false;
            Diagnostics.IsDistributedTracingEnabled = false;
            Diagnostics.ApplicationId = "KuduDiagnostics";
        }
    }
}
