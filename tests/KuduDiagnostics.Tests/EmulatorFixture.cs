using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;
using KuduDiagnostics.Session;

namespace KuduDiagnostics.Tests
{
    /// <summary>Runs the Kudu emulator as a real server process on loopback for the duration of a test class.</summary>
    public class EmulatorFixture : IDisposable
    {
        private readonly Process _process;
        private readonly string _folder;

        public EmulatorFixture()
            : this(DefaultScenario)
        {
        }

        protected EmulatorFixture(string scenarioJson)
        {
            _folder = Path.Combine(Path.GetTempPath(), "kudu-xunit-" + Guid.NewGuid().ToString("n").Substring(0, 8));
            Directory.CreateDirectory(_folder);
            string scenario = Path.Combine(_folder, "scenario.json");
            string ready = Path.Combine(_folder, "ready.json");
            File.WriteAllText(scenario, scenarioJson);

            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { EmulatorPath(), "--scenario", scenario, "--ready-file", ready, "--parent-pid", Environment.ProcessId.ToString() })
            {
                start.ArgumentList.Add(arg);
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(ready))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("The Kudu emulator did not start.");
                }

                Thread.Sleep(50);
            }

            Ready = JsonDocument.Parse(File.ReadAllText(ready)).RootElement.Clone();
            Url = Ready.GetProperty("url").GetString()!;
        }

        public const string DefaultScenario = """
            { "sites": [
                { "name": "contoso", "kind": "functionapp", "instanceCount": 2, "appWorkers": 1, "extraProcesses": ["dotnet"],
                  "basicAuth": { "userName": "$contoso", "password": "xunit-Pa55" },
                  "bearerTokens": [ { "token": "xunit-static-token", "audience": "https://management.azure.com" } ],
                  "acceptedAudiences": [ "https://management.azure.com" ],
                  "dump": { "sizes": { "default": 1048576 } } },
                { "name": "odd", "instances": [ { "processes": [
                    { "id": 4300, "name": "restricted", "restricted": true },
                    { "id": 4400, "name": "w3wp" } ] } ] }
            ] }
            """;

        public JsonElement Ready { get; }

        public string Url { get; }

        public JsonElement Site(string key) => Ready.GetProperty("sites").EnumerateArray().First(s => s.GetProperty("key").GetString() == key);

        public string[] Instances(string key) => Site(key).GetProperty("instances").EnumerateArray().Select(i => i.GetString()!).ToArray();

        public Task<KuduSession> BasicSessionAsync(string key, string? password = null)
        {
            JsonElement site = Site(key);
            return KuduSessionFactory.CreateAsync(
                new KuduSessionOptions
                {
                    ScmUri = site.GetProperty("scmUrl").GetString(),
                    SiteName = key,
                    Credential = new System.Net.NetworkCredential(site.GetProperty("userName").GetString(), password ?? site.GetProperty("password").GetString()),
                },
                NullTrace.Instance,
                CancellationToken.None);
        }

        public async Task<JsonElement> ControlAsync(HttpMethod method, string path, string? body = null)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(method, Url + path);
            if (body != null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            using HttpResponseMessage response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            string text = await response.Content.ReadAsStringAsync();
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        public void Dispose()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10000);
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
            Directory.Delete(_folder, recursive: true);
        }

        internal static string EmulatorPath()
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("KUDU_TEST_EMULATOR");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return fromEnvironment;
            }

            // tests/KuduDiagnostics.Tests/bin/<Configuration>/net10.0 -> tests/KuduEmulator/bin/<Configuration>/net10.0
            var here = new DirectoryInfo(AppContext.BaseDirectory);
            string configuration = here.Parent!.Name;
            string testsFolder = here.Parent.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(testsFolder, "KuduEmulator", "bin", configuration, "net10.0", "KuduEmulator.dll");
        }
    }
}
