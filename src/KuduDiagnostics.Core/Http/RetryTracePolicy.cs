using System;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KuduDiagnostics.Http
{
    /// <summary>
    /// Azure.Core's retry policy that says, on the request's trace (Verbose), each retry before it waits: what
    /// answered or failed, which attempt comes, and how long it waits. Delays have no jitter, so the wait said is
    /// the wait taken (Retry-After from the server still wins).
    /// </summary>
    internal sealed class RetryTracePolicy : RetryPolicy
    {
        private readonly int _maxRetries;
        private readonly DelayStrategy _delay;

        private RetryTracePolicy(int maxRetries, DelayStrategy delay)
            : base(maxRetries, delay)
        {
            _maxRetries = maxRetries;
            _delay = delay;
        }

        public static RetryTracePolicy From(RetryOptions options) =>
            new RetryTracePolicy(options.MaxRetries, new SteadyExponentialDelay(options.Delay, options.MaxDelay));

        protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        {
            bool retry = base.ShouldRetry(message, exception);
            if (retry)
            {
                Report(message, exception);
            }

            return retry;
        }

        protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        {
            bool retry = await base.ShouldRetryAsync(message, exception).ConfigureAwait(false);
            if (retry)
            {
                Report(message, exception);
            }

            return retry;
        }

        private void Report(HttpMessage message, Exception? exception)
        {
            int attempt = message.ProcessingContext.RetryNumber + 1;
            Response? response = exception == null && message.HasResponse ? message.Response : null;
            TimeSpan wait = _delay.GetNextDelay(response, attempt);
            string what = response != null
                ? $"answered {response.Status} {response.ReasonPhrase}"
                : $"failed ({exception?.GetType().Name}: {RedactedUri.StripQueries(exception?.Message ?? string.Empty)})";
            TracePolicy.TraceOf(message).Verbose(
                $"{message.Request.Method} {RedactedUri.Of(message.Request.Uri.ToUri())} {what}; retry {attempt} of {_maxRetries} in {wait.TotalSeconds:0.0} s.");
        }

        /// <summary>Doubling delays capped at a maximum, without jitter; Retry-After is applied by the base class.</summary>
        private sealed class SteadyExponentialDelay : DelayStrategy
        {
            private readonly TimeSpan _initial;

            public SteadyExponentialDelay(TimeSpan initial, TimeSpan max)
                : base(max, jitterFactor: 0)
            {
                _initial = initial;
            }

            protected override TimeSpan GetNextDelayCore(Response? response, int retryNumber) =>
                TimeSpan.FromMilliseconds(_initial.TotalMilliseconds * Math.Pow(2, Math.Max(0, retryNumber - 1)));
        }
    }
}
