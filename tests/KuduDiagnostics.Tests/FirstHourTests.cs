using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using KuduDiagnostics.Http;
using KuduDiagnostics.Session;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>A session's first hour against a three-instance site: one instance, retries said, tokens asked again.</summary>
    public sealed class FirstHourTests : IClassFixture<ThreeInstanceEmulator>, IAsyncLifetime
    {
        private readonly ThreeInstanceEmulator _emulator;

        public FirstHourTests(ThreeInstanceEmulator emulator) => _emulator = emulator;

        public async Task InitializeAsync() => await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");

        public Task DisposeAsync() => Task.CompletedTask;

        [Fact]
        public async Task Stays_on_the_first_instance_that_answered_and_moves_once_when_it_is_gone()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            var trace = new RecordingTrace();
            string first = (await session.Kudu().ListProcessesAsync(null, trace, CancellationToken.None))[0].Instance!;
            for (int i = 0; i < 4; i++)
            {
                // The front end would go round-robin without the cookie.
                Assert.Equal(first, (await session.Kudu().ListProcessesAsync(null, trace, CancellationToken.None))[0].Instance);
            }

            Assert.Equal(first, session.PinnedInstance);
            await _emulator.ControlAsync(HttpMethod.Post, $"/_emulator/sites/contoso/instances/{first}/stop");

            string moved = (await session.Kudu().ListProcessesAsync(null, trace, CancellationToken.None))[0].Instance!;
            string again = (await session.Kudu().ListProcessesAsync(null, trace, CancellationToken.None))[0].Instance!;

            Assert.NotEqual(first, moved);
            Assert.Equal(moved, again);
            Assert.Equal(moved, session.PinnedInstance);
            string warning = Assert.Single(trace.Warnings);
            Assert.Contains($"Instance {first.Substring(0, 6)} of contoso", warning);
            Assert.Contains($"instance {moved.Substring(0, 6)}", warning);
        }

        [Fact]
        public async Task Each_retry_says_its_status_attempt_and_wait()
        {
            await _emulator.ControlAsync(HttpMethod.Put, "/_emulator/sites/contoso/faults", """[{"route":"list","action":"status","status":503,"retryAfterSeconds":0,"count":2}]""");
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            var trace = new RecordingTrace();

            await session.Kudu().ListProcessesAsync(null, trace, CancellationToken.None);

            Assert.Equal(2, trace.Verbose.Count(m => m.Contains("/api/processes answered 503 Service Unavailable; retry")));
            Assert.Contains(trace.Verbose, m => m.EndsWith("retry 1 of 3 in 0.5 s.", StringComparison.Ordinal));
            Assert.Contains(trace.Verbose, m => m.EndsWith("retry 2 of 3 in 1.0 s.", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_failed_token_does_not_poison_the_session()
        {
            var credential = new FailsOnceCredential();
            using KuduSession session = await KuduSessionFactory.CreateAsync(
                new KuduSessionOptions { ScmUri = _emulator.Site("contoso").GetProperty("scmUrl").GetString(), TokenCredential = credential },
                NullTrace.Instance, CancellationToken.None);

            var ex = await Assert.ThrowsAsync<KuduException>(() => session.Kudu().CheckAccessAsync(NullTrace.Instance, CancellationToken.None));
            Assert.Equal(KuduErrorKind.AuthenticationFailed, ex.Kind);

            // The next call asks the credential again, and gets in.
            string? served = await session.Kudu().CheckAccessAsync(NullTrace.Instance, CancellationToken.None);
            Assert.Contains(served, _emulator.Instances("contoso"));
            Assert.Equal(2, credential.Calls);
        }

        private sealed class FailsOnceCredential : TokenCredential
        {
            private int _calls;

            public int Calls => _calls;

            public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
                GetTokenAsync(requestContext, cancellationToken).GetAwaiter().GetResult();

            public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            {
                if (Interlocked.Increment(ref _calls) == 1)
                {
                    throw new AuthenticationFailedException("The managed identity endpoint did not answer.");
                }

                return new ValueTask<AccessToken>(new AccessToken("xunit-three-token", DateTimeOffset.UtcNow.AddHours(1)));
            }
        }

        private sealed class RecordingTrace : IKuduTrace
        {
            public ConcurrentQueue<string> Verbose { get; } = new ConcurrentQueue<string>();

            public ConcurrentQueue<string> Warnings { get; } = new ConcurrentQueue<string>();

            void IKuduTrace.Verbose(string message) => Verbose.Enqueue(message);

            public void Debug(string message)
            {
            }

            public void Warning(string message) => Warnings.Enqueue(message);

            // The core's fact and its advice key: the words are the cmdlet layer's.
            void IKuduTrace.Verbose(string fact, KuduAdvice? advice) => Verbose.Enqueue($"{fact} [{advice}]");

            public void Warning(string fact, KuduAdvice? advice) => Warnings.Enqueue($"{fact} [{advice}]");
        }
    }
}
