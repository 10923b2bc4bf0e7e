using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// Sends requests to one SCM host whatever its platform: the ARRAffinity cookie, the instance that answered,
    /// network faults, and one slot of the request limiter per request. What a status means is the contract's.
    /// </summary>
    internal sealed partial class KuduTransport
    {
        // The front end answers a dump only after Kudu has written all of it; that can take minutes.
        internal static readonly TimeSpan LongRequestTimeout = TimeSpan.FromMinutes(30);

        // A real process list is far under 1 MB; anything near this is not Kudu's answer.
        // The call's limiter travels in the message, as its trace does (TracePolicy.TraceProperty).
        private const string LimiterProperty = "KuduDiagnostics.Limiter";

        internal const long MaxJsonBytes = 64L * 1024 * 1024;

        /// <summary>How much of a failed dump request's error body is read: its first line or JSON message is what errors show.</summary>
        internal const int MaxErrorBodyBytes = 8192;

        internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

        private readonly HttpPipeline _pipeline;

        public KuduTransport(HttpPipeline pipeline, Uri scmUri, TimeSpan? timeout = null)
        {
            _pipeline = pipeline;
            ScmUri = scmUri;
            Timeout = timeout ?? DefaultTimeout;
        }

        public Uri ScmUri { get; }

        /// <summary>The longest a read (all its attempts, and its whole body) may take; dumps have their own stall timeout.</summary>
        public TimeSpan Timeout { get; }

        public HttpMessage CreateMessage(string relativePath, string? instance, KuduCall call, string accept, ResponseClassifier classifier)
        {
            HttpMessage message = _pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            message.Request.Uri.Reset(new Uri(ScmUri, relativePath));
            message.Request.Headers.SetValue(HttpHeader.Names.Accept, accept);
            message.ResponseClassifier = classifier;

            // A redirect is an error here, never followed: see ThrowIfRedirected.
            RedirectPolicy.SetAllowAutoRedirect(message, false);
            if (instance != null)
            {
                // The App Service front end routes by this cookie; both names carry the same value.
                message.Request.Headers.SetValue("Cookie", $"ARRAffinity={instance}; ARRAffinitySameSite={instance}");
            }

            message.SetProperty(TracePolicy.TraceProperty, call.Trace);
            message.SetProperty(LimiterProperty, call.Limiter);
            return message;
        }

        /// <summary>
        /// Sends within a limiter slot. A network fault is <see cref="KuduErrorKind.Unreachable"/> (or
        /// <see cref="KuduErrorKind.DumpTimedOut"/> for a long request); an answer from another instance than the
        /// one asked for is <see cref="KuduErrorKind.InstanceNotFound"/>; a redirect is
        /// <see cref="KuduErrorKind.Redirected"/>. A read's body is read here, within <see cref="Timeout"/> and
        /// <see cref="MaxJsonBytes"/>; a long request's body is left for the caller to stream. Owns the message.
        /// </summary>
        public async Task<KuduReply> SendAsync(HttpMessage message, string? instance, bool longRequest, CancellationToken cancellationToken)
        {
            RequestLimiter limiter = message.TryGetProperty(LimiterProperty, out object? value) && value is RequestLimiter given
                ? given : throw new InvalidOperationException("A Kudu request is made by CreateMessage, which gives it its limiter.");
            IDisposable? lease = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                // Instance ids are per site, so the host is part of the key; a dump goes before queued lookups, since
                // every moment it waits delays each dump queued behind it on its site.
                lease = await limiter.EnterAsync(ScmUri.Authority + "/" + instance, urgent: longRequest, cancellationToken).ConfigureAwait(false);
                if (!longRequest)
                {
                    // Each byte resets the network timeout, so a drip would never end without a deadline over it all.
                    message.BufferResponse = false;
                    message.NetworkTimeout = Timeout < DefaultTimeout ? Timeout : DefaultTimeout;
                    deadline.CancelAfter(Timeout);
                }

                string? served = await SendCoreAsync(message, instance, longRequest, deadline.Token, cancellationToken).ConfigureAwait(false);
                ThrowIfRedirected(message);
                if (!longRequest)
                {
                    await BufferBodyAsync(message, deadline.Token, cancellationToken).ConfigureAwait(false);
                }
                else if (message.Response.Status >= 400)
                {
                    await BufferErrorBodyAsync(message, cancellationToken).ConfigureAwait(false);
                }

                return new KuduReply(message, served, lease);
            }
            catch
            {
                lease?.Dispose();
                message.Dispose();
                throw;
            }
        }

        private async Task<string?> SendCoreAsync(HttpMessage message, string? instance, bool longRequest, CancellationToken deadline, CancellationToken cancellationToken)
        {
            Uri uri = message.Request.Uri.ToUri();
            try
            {
                await _pipeline.SendAsync(message, deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
            {
                throw TimedOut(uri, ex);
            }
            catch (Exception ex) when (ex is RequestFailedException || ex is AggregateException || ex is HttpRequestException || ex is IOException || ex is SocketException || ex is OperationCanceledException)
            {
                // Azure.Core reports a network timeout as TaskCanceledException without our token being cancelled.
                if (longRequest && ex is OperationCanceledException)
                {
                    throw new KuduException(KuduErrorKind.DumpTimedOut,
                        $"Kudu at {ScmUri.Authority} sent nothing for {LongRequestTimeout.TotalMinutes:N0} minutes after the dump was asked for.",
                        requestUri: uri, inner: ex, advice: AdviceKey.SmallerWindowsDump);
                }

                string what = ex is OperationCanceledException ? "timed out" : "failed";
                throw new KuduException(KuduErrorKind.Unreachable,
                    $"Could not reach Kudu at {ScmUri.Authority}: the request {what} ({ConsoleText.Clean(Innermost(ex).Message)}). Check the site name or SCM URI, the network path to the SCM site, and that the site is running.",
                    requestUri: uri, inner: ex);
            }

            Response response = message.Response;
            string? served = ServedInstance(response, TracePolicy.TraceOf(message)) ?? instance;
            if (instance != null && served != null && !string.Equals(served, instance, StringComparison.OrdinalIgnoreCase))
            {
                throw new KuduException(KuduErrorKind.InstanceNotFound,
                    $"Instance {KuduTarget.ShortId(instance)} of {ScmUri.Authority} is not running: the front end routed the request to instance {KuduTarget.ShortId(served)} instead.",
                    response.Status, requestUri: uri, advice: AdviceKey.ListInstances) { AnsweredBy = served };
            }

            return served;
        }

        private KuduException TimedOut(Uri uri, Exception inner) =>
            new KuduException(KuduErrorKind.Unreachable,
                $"Kudu at {ScmUri.Authority} gave no complete answer within {Timeout.TotalSeconds:N0} s: the request was abandoned. The SCM site may be overloaded or a proxy may be holding the connection; try again.",
                requestUri: uri, inner: inner, advice: AdviceKey.RaiseTimeout);

        /// <summary>A redirect (a sign-in page, a moved site, a proxy) is not Kudu's answer; credentials are never sent on.</summary>
        private void ThrowIfRedirected(HttpMessage message)
        {
            Response response = message.Response;
            if (response.Status < 300 || response.Status >= 400)
            {
                return;
            }

            response.Headers.TryGetValue("Location", out string? location);
            string where = "nowhere";
            if (location != null && Uri.TryCreate(message.Request.Uri.ToUri(), location, out Uri? target))
            {
                where = target.IsAbsoluteUri ? RedactedUri.Of(target) : "a relative address";
            }

            throw new KuduException(KuduErrorKind.Redirected,
                $"{ScmUri.Authority} answered {response.Status} (a redirect to {ConsoleText.Clean(where)}) instead of Kudu's answer; it was not followed and nothing was kept. A sign-in page, an access restriction or a proxy in front of the SCM site redirects like this; check the SCM URI and the site's networking.",
                response.Status, requestUri: message.Request.Uri.ToUri());
        }

        private KuduException TooLarge(Response response, Uri uri, long? announced) =>
            new KuduException(KuduErrorKind.InvalidResponse,
                $"Kudu's answer from {ScmUri.Authority} is too large ({(announced is long n ? n.ToString("N0") + " bytes" : "over the limit, still arriving")}, limit {MaxJsonBytes:N0}): a process list is far smaller, so this is not Kudu's answer. It was not read.",
                response.Status, requestUri: uri);

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }
    }
}
