using System;
using Azure;
using Azure.Core;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>One answer from an SCM site: the response, the instance that served it, and the request slot it holds.</summary>
    internal sealed class KuduReply : IDisposable
    {
        public KuduReply(HttpMessage message, string? servedInstance, IDisposable lease)
        {
            Message = message;
            ServedInstance = servedInstance;
            _lease = lease;
        }

        public HttpMessage Message { get; }
        public Response Response => Message.Response;
        public Uri Uri => Message.Request.Uri.ToUri();
        public string? ServedInstance { get; }

        /// <summary>How many times the request was sent (retries included).</summary>
        public int Attempts => Message.ProcessingContext.RetryNumber + 1;

        /// <summary>The wait the server asked for and this module would not take (over <see cref="RetryTracePolicy.MaxServerWait"/>).</summary>
        public TimeSpan? RefusedWait => RetryTracePolicy.RefusedWaitOf(Message);

        private IDisposable? _lease;

        /// <summary>Keeps the request slot beyond this reply (a dump body still to be read); the caller releases it.</summary>
        public IDisposable TakeLease() => System.Threading.Interlocked.Exchange(ref _lease, null) ?? EmptyLease.Instance;

        public void Dispose()
        {
            _lease?.Dispose();
            Message.Dispose();
        }

        private sealed class EmptyLease : IDisposable
        {
            public static readonly EmptyLease Instance = new EmptyLease();

            public void Dispose()
            {
            }
        }
    }
}
