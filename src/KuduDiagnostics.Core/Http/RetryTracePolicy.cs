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
        /// <summary>The longest wait a server's Retry-After is granted; a longer one ends the request at once.</summary>
        internal static readonly TimeSpan MaxServerWait = TimeSpan.FromSeconds(60);

        private const string RefusedWaitProperty = "KuduDiagnostics.RefusedWait";

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

        /// <summary>The server's wait that was refused for <paramref name="message"/>, if one was.</summary>
        public static TimeSpan? RefusedWaitOf(HttpMessage message) =>
            message.TryGetProperty(RefusedWaitProperty, out object? value) && value is TimeSpan wait ? wait : (TimeSpan?)null;

        protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        {
            bool retry = base.ShouldRetry(message, exception) && !RefusesWait(message, exception);
            if (retry)
            {
                Report(message, exception);
            }

            return retry;
        }

        protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        {
            bool retry = await base.ShouldRetryAsync(message, exception).ConfigureAwait(false) && !RefusesWait(message, exception);
            if (retry)
            {
                Report(message, exception);
            }

            return retry;
        }

        /// <summary>
        /// A Retry-After beyond <see cref="MaxServerWait"/> is not waited out: the caller fails at once and says why.
        /// The wait is the one the retry would take (Azure.Core reads the server's headers); our own delays stop at
        /// MaxDelay (30 s), so a wait over the cap can only be the server's.
        /// </summary>
        private bool RefusesWait(HttpMessage message, Exception? exception)
        {
            if (exception != null || !message.HasResponse)
            {
                return false;
            }

            TimeSpan wait = _delay.GetNextDelay(message.Response, message.ProcessingContext.RetryNumber + 1);
            if (wait <= MaxServerWait)
            {
                return false;
            }

            message.SetProperty(RefusedWaitProperty, wait);
            TracePolicy.TraceOf(message).Verbose(
                $"{message.Request.Method} {RedactedUri.Of(message.Request.Uri.ToUri())} answered {message.Response.Status} asking to wait {wait.TotalSeconds:N0} s, over the {MaxServerWait.TotalSeconds:N0} s a retry may wait: not retried.");
            return true;
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
