using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Dumps;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>The Kudu client against the emulator: a real HTTP server on loopback.</summary>
    public sealed class KuduClientTests : IClassFixture<EmulatorFixture>, IAsyncLifetime
    {
        private readonly EmulatorFixture _emulator;

        public KuduClientTests(EmulatorFixture emulator) => _emulator = emulator;

        public async Task InitializeAsync() => await _emulator.ControlAsync(HttpMethod.Post, "/_emulator/reset");

        public Task DisposeAsync() => Task.CompletedTask;

        [Fact]
        public async Task Lists_processes_of_the_instance_asked_for()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            foreach (string instance in _emulator.Instances("contoso"))
            {
                var processes = await session.Kudu().ListProcessesAsync(instance, NullTrace.Instance, CancellationToken.None);

                Assert.Equal(3, processes.Count(p => p.Name == "w3wp" || p.Name == "dotnet"));
                Assert.All(processes, p => Assert.Equal(instance, p.Instance));
                Assert.Equal(processes.Select(p => p.Name.ToLowerInvariant()).OrderBy(n => n, StringComparer.Ordinal), processes.Select(p => p.Name.ToLowerInvariant()));
                Assert.All(processes, p => Assert.StartsWith(session.ScmUri.GetLeftPart(UriPartial.Authority), p.Href!.ToString()));
            }
        }

        [Fact]
        public async Task Learns_the_instance_from_the_front_end_cookie_when_none_was_asked_for()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            var processes = await session.Kudu().ListProcessesAsync(null, NullTrace.Instance, CancellationToken.None);

            Assert.Contains(processes[0].Instance, _emulator.Instances("contoso"));
        }

        [Fact]
        public async Task Detail_of_id_zero_is_the_scm_worker_and_only_it_is_marked()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            string instance = _emulator.Instances("contoso")[0];

            KuduProcessDetail scm = await session.Kudu().GetProcessAsync(instance, 0, false, NullTrace.Instance, CancellationToken.None);
            KuduProcessDetail app = await session.Kudu().GetProcessAsync(instance, -1, false, NullTrace.Instance, CancellationToken.None);

            Assert.True(scm.IsScmSite);
            Assert.NotEqual(0, scm.Id);
            Assert.False(app.IsScmSite);
            Assert.Equal("w3wp", app.Name);
            Assert.True(scm.EnvironmentRedacted);
            Assert.All(scm.EnvironmentVariables.Values, v => Assert.Equal("<redacted>", v));
        }

        [Fact]
        public async Task Restricted_process_sentinels_arrive_as_nulls()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("odd");
            KuduProcessDetail d = await session.Kudu().GetProcessAsync(null, 4300, true, NullTrace.Instance, CancellationToken.None);

            Assert.Null(d.HandleCount);
            Assert.Null(d.TotalCpuTime);
            Assert.Null(d.FileName);
        }

        [Fact]
        public async Task A_wrong_password_is_an_authentication_failure()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso", password: "nope");
            var ex = await Assert.ThrowsAsync<KuduException>(() => session.Kudu().ListProcessesAsync(null, NullTrace.Instance, CancellationToken.None));

            Assert.Equal(KuduErrorKind.AuthenticationFailed, ex.Kind);
            Assert.Equal(401, ex.StatusCode);
            Assert.DoesNotContain("nope", ex.Message);
        }

        [Fact]
        public async Task A_process_that_is_not_running_is_reported_with_Kudus_message()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            var ex = await Assert.ThrowsAsync<KuduException>(() => session.Kudu().GetProcessAsync(null, 99999, false, NullTrace.Instance, CancellationToken.None));

            Assert.Equal(KuduErrorKind.ProcessNotFound, ex.Kind);

            // Issue 13: where first (process, id, site, instance), then Kudu's words, then the instance that answered.
            string answered = KuduTarget.ShortId(ex.AnsweredBy!);
            Assert.StartsWith($"process (99999) on contoso instance {answered}: Process with an Id of 99999 is not running. Instance {answered} answered", ex.Message);
            Assert.Equal(AdviceKey.ProcessOnAnotherInstance, ex.Advice!.Key);
            Assert.EndsWith("answered: the process has exited, or it runs on another instance (Get-KuduProcess -AllInstances lists every instance's processes).", Commands.Advice.Apply(ex).Message);
            Assert.Equal("Process with an Id of 99999 is not running.", ex.ServerMessage);
        }

        [Fact]
        public async Task A_body_that_is_not_json_is_an_invalid_response()
        {
            await _emulator.ControlAsync(HttpMethod.Put, "/_emulator/sites/contoso/faults", """[{"route":"list","action":"badJson"}]""");
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");

            var ex = await Assert.ThrowsAsync<KuduException>(() => session.Kudu().ListProcessesAsync(null, NullTrace.Instance, CancellationToken.None));
            Assert.Equal(KuduErrorKind.InvalidResponse, ex.Kind);
        }

        [Fact]
        public async Task Transient_503s_are_retried()
        {
            await _emulator.ControlAsync(HttpMethod.Put, "/_emulator/sites/contoso/faults", """[{"route":"list","action":"status","status":503,"retryAfterSeconds":0,"count":2}]""");
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");

            var processes = await session.Kudu().ListProcessesAsync(null, NullTrace.Instance, CancellationToken.None);

            Assert.NotEmpty(processes);
            var stats = await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/stats");
            Assert.Equal(3, stats.GetProperty("sites").GetProperty("contoso").GetProperty("requests").GetProperty("list").GetInt32());
        }

        [Fact]
        public async Task A_dump_is_streamed_with_its_length_and_never_retried()
        {
            using KuduSession session = await _emulator.BasicSessionAsync("contoso");
            string instance = _emulator.Instances("contoso")[0];
            KuduProcessDetail app = await session.Kudu().GetProcessAsync(instance, -1, false, NullTrace.Instance, CancellationToken.None);

            using (KuduDumpResponse dump = await session.Kudu().OpenDumpAsync(KuduTarget.Of(session, instance, app.Id), DumpKind.From(DumpType.Mini, null), WindowsKuduContract.FormatOf(zip: false), NullTrace.Instance, CancellationToken.None))
            {
                Assert.Equal(1048576, dump.ContentLength);
                var buffer = new byte[4];
                Assert.Equal(4, await dump.Body.ReadAsync(buffer, 0, 4));
                Assert.Equal("MDMP", System.Text.Encoding.ASCII.GetString(buffer));
                Assert.StartsWith("w3wp-" + instance.Substring(0, 6) + "-", dump.ServerFileName);
            }

            await _emulator.ControlAsync(HttpMethod.Put, "/_emulator/sites/contoso/faults", """[{"route":"dump","action":"status","status":503}]""");
            await Assert.ThrowsAsync<KuduException>(() => session.Kudu().OpenDumpAsync(KuduTarget.Of(session, instance, app.Id), DumpKind.From(DumpType.Mini, null), WindowsKuduContract.FormatOf(zip: false), NullTrace.Instance, CancellationToken.None));
            var stats = await _emulator.ControlAsync(HttpMethod.Get, "/_emulator/stats");
            Assert.Equal(2, stats.GetProperty("sites").GetProperty("contoso").GetProperty("dumpRequests").GetInt32());
        }

        [Fact]
        public async Task An_access_token_session_sends_the_token()
        {
            JsonSite site = new JsonSite(_emulator.Site("contoso"));
            using KuduSession session = await KuduSessionFactory.CreateAsync(
                new KuduSessionOptions { ScmUri = site.ScmUrl, AccessToken = "xunit-static-token" }, NullTrace.Instance, CancellationToken.None);

            // The site accepts only the ARM audience; a static token is sent as given.
            var processes = await session.Kudu().ListProcessesAsync(null, NullTrace.Instance, CancellationToken.None);
            Assert.NotEmpty(processes);
            Assert.Equal(KuduAuthenticationType.AccessToken, session.AuthenticationType);
        }

        private sealed class JsonSite
        {
            public JsonSite(System.Text.Json.JsonElement e) => ScmUrl = e.GetProperty("scmUrl").GetString()!;

            public string ScmUrl { get; }
        }
    }
}
