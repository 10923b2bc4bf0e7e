using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Net8Host
{
    internal sealed record EmulatorSite(string Key, string Name, string ScmUrl, string UserName, string Password, string ResourceId, string[] Instances);

    internal sealed record Expected(long Length, string Sha256);

    /// <summary>The Kudu emulator's ready JSON (written by tests/KuduEmulator) and its control API.</summary>
    internal sealed class EmulatorInfo
    {
        private static readonly HttpClient s_http = new HttpClient();

        public string Url { get; private init; } = string.Empty;
        public string ArmUrl { get; private init; } = string.Empty;
        public string IdentityEndpoint { get; private init; } = string.Empty;
        public string IdentityHeader { get; private init; } = string.Empty;
        public EmulatorSite[] Sites { get; private init; } = Array.Empty<EmulatorSite>();

        public static EmulatorInfo Load(string readyFile)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(readyFile));
            JsonElement r = doc.RootElement;
            return new EmulatorInfo
            {
                Url = r.GetProperty("url").GetString()!,
                ArmUrl = r.GetProperty("armUrl").GetString()!,
                IdentityEndpoint = r.GetProperty("identityEndpoint").GetString()!,
                IdentityHeader = r.GetProperty("identityHeader").GetString()!,
                Sites = r.GetProperty("sites").EnumerateArray().Select(s => new EmulatorSite(
                    s.GetProperty("key").GetString()!,
                    s.GetProperty("name").GetString()!,
                    s.GetProperty("scmUrl").GetString()!,
                    s.GetProperty("userName").GetString()!,
                    s.GetProperty("password").GetString()!,
                    s.GetProperty("resourceId").GetString()!,
                    s.GetProperty("instances").EnumerateArray().Select(i => i.GetString()!).ToArray())).ToArray(),
            };
        }

        /// <summary>Length and SHA-256 of the raw dump the emulator serves for this process and dump type.</summary>
        public async Task<Expected> ExpectedDumpAsync(string siteKey, string instance, int pid, int dumpType, CancellationToken ct)
        {
            string json = await s_http.GetStringAsync($"{Url}/_emulator/sites/{siteKey}/expected-dump?instance={instance}&pid={pid}&dumpType={dumpType}", ct);
            using JsonDocument doc = JsonDocument.Parse(json);
            return new Expected(doc.RootElement.GetProperty("length").GetInt64(), doc.RootElement.GetProperty("sha256").GetString()!);
        }
    }

    /// <summary>Reads a blob back by plain REST with the container's SAS: not through the SDK under test.</summary>
    internal static class Blob
    {
        private static readonly HttpClient s_http = new HttpClient();

        public static async Task<byte[]> DownloadAsync(Uri containerWithSas, string blobName, CancellationToken ct)
        {
            string path = string.Join("/", blobName.Split('/').Select(Uri.EscapeDataString));
            var uri = new Uri($"{containerWithSas.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{path}{containerWithSas.Query}");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Add("x-ms-version", "2019-12-12");
            using HttpResponseMessage response = await s_http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsByteArrayAsync(ct);
        }
    }

    internal static class Hash
    {
        public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }
}
