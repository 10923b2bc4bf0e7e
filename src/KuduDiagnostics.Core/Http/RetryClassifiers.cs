using System;
using Azure;
using Azure.Core;

namespace KuduDiagnostics.Http
{
    /// <summary>
    /// Retries idempotent reads on the statuses that pass: 408, 429, 502, 503, 504, and a 500 unless the server
    /// that answered says it is deterministic (each wire contract knows its own error bodies).
    /// </summary>
    internal sealed class ReadRetryClassifier : ResponseClassifier
    {
        private readonly Func<Response, bool>? _isDeterministicServerError;

        public ReadRetryClassifier(Func<Response, bool>? isDeterministicServerError = null)
        {
            _isDeterministicServerError = isDeterministicServerError;
        }

        public override bool IsRetriableResponse(HttpMessage message)
        {
            switch (message.Response.Status)
            {
                case 408:
                case 429:
                case 502:
                case 503:
                case 504:
                    return true;
                case 500:
                    return _isDeterministicServerError == null || !_isDeterministicServerError(message.Response);
                default:
                    return false;
            }
        }

        public override bool IsErrorResponse(HttpMessage message) => message.Response.Status >= 400;
    }

    /// <summary>A dump is never retried: each attempt freezes the process again.</summary>
    internal sealed class NeverRetryClassifier : ResponseClassifier
    {
        public override bool IsRetriableResponse(HttpMessage message) => false;

        public override bool IsRetriableException(Exception exception) => false;

        public override bool IsRetriable(HttpMessage message, Exception exception) => false;

        public override bool IsErrorResponse(HttpMessage message) => message.Response.Status >= 400;
    }
}
