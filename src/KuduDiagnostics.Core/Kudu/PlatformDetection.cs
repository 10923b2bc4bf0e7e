using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// The contract of a site whose platform is not known yet. Resource Manager tells at session creation when
    /// the session has it; otherwise the first process list does, from its own answer (no extra request): items
    /// with "pid" and no "id" are dotnet-monitor's, "Not supported on Linux" and an empty 404 are KuduLite's.
    /// Once known, every call goes straight to that platform's contract.
    /// </summary>
    internal sealed partial class PlatformDetection : IKuduContract
    {
        private readonly KuduContract _windows;
        private readonly KuduContract _linux;
        private readonly Action<KuduPlatform> _detected;
        private readonly SiteAnswers _answers;
        private volatile KuduContract? _known;

        public PlatformDetection(KuduTransport transport, Action<KuduPlatform> detected, SiteAnswers? answers = null)
        {
            answers ??= new SiteAnswers();
            _answers = answers;
            _windows = new WindowsKuduContract(transport, answers);
            _linux = new LinuxKuduContract(transport, answers);
            _detected = detected;
        }

        /// <summary>The platform's contract once known; Windows semantics until then.</summary>
        public IKuduContract Current => _known ?? _windows;

        public KuduPlatform Platform => _known?.Platform ?? KuduPlatform.Unknown;

        public string DefaultWorkerName => Current.DefaultWorkerName;

        public void Set(KuduPlatform platform)
        {
            _known = platform == KuduPlatform.Linux ? _linux : platform == KuduPlatform.Windows ? _windows : null;
            if (_known != null)
            {
                _detected(platform);
            }
        }

        /// <summary>The platform's own contract, asking the site's process list first when it is not known.</summary>
        public async Task<IKuduContract> ResolveAsync(string? instance, KuduCall call, CancellationToken cancellationToken)
        {
            if (_known == null)
            {
                await ListProcessesAsync(instance, call, cancellationToken).ConfigureAwait(false);
            }

            return Current;
        }

        public async Task<(List<KuduProcess> Processes, string? ServedInstance)> ListProcessesAsync(string? instance, KuduCall call, CancellationToken cancellationToken)
        {
            if (_known is KuduContract known)
            {
                return await known.ListProcessesAsync(instance, call, cancellationToken).ConfigureAwait(false);
            }

            using KuduReply reply = await _windows.SendReadAsync(KuduContract.ProcessesPath, instance, call, cancellationToken).ConfigureAwait(false);
            KuduPlatform platform = Detect(reply.Response, _answers.CredentialsAccepted);
            if (platform != KuduPlatform.Unknown)
            {
                Set(platform);
                call.Trace.Verbose($"{reply.Uri.Authority} is a {platform} app ({(platform == KuduPlatform.Linux ? "KuduLite with dotnet-monitor" : "Kudu")}).");
            }

            return ((platform == KuduPlatform.Linux ? _linux : _windows).ReadList(reply), reply.ServedInstance);
        }

        /// <summary>Both platforms answer /api/environment alike; it tells nothing of the platform.</summary>
        public Task<string?> CheckAccessAsync(string? instance, KuduCall call, CancellationToken cancellationToken) =>
            Current.CheckAccessAsync(instance, call, cancellationToken);

        public async Task<KuduProcessDetail> GetProcessAsync(string? instance, int id, KuduCall call, CancellationToken cancellationToken)
        {
            IKuduContract contract = await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false);
            return await contract.GetProcessAsync(instance, id, call, cancellationToken).ConfigureAwait(false);
        }

        public DumpFormat DumpFormat(bool zip) => Current.DumpFormat(zip);

        public DumpFormat? CompressedDumpFormat => Current.CompressedDumpFormat;

        public int? WireMask(DumpKind kind) => Current.WireMask(kind);

        public async Task<KuduDumpResponse> OpenDumpAsync(string? instance, int id, DumpKind kind, DumpFormat format, KuduCall call, CancellationToken cancellationToken)
        {
            IKuduContract contract = await ResolveAsync(instance, call, cancellationToken).ConfigureAwait(false);
            return await contract.OpenDumpAsync(instance, id, kind, format, call, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// What a process list answer says of the platform; Unknown when it cannot tell (an auth error, an empty list).
        /// A 401 with no body after the front end accepted the session's credentials comes from behind KuduLite's
        /// proxy (dotnet-monitor's own authentication): Windows Kudu does not authenticate, and the front end's 401
        /// carries a text page. Were it ever the front end, every later call of the session would fail alike.
        /// </summary>
        internal static KuduPlatform Detect(Response response, bool credentialsAccepted = false)
        {
            string body;
            try
            {
                body = response.Content.ToString();
            }
            catch (InvalidOperationException)
            {
                return KuduPlatform.Unknown;
            }

            switch (response.Status)
            {
                case 400 when body.IndexOf("Not supported on Linux", StringComparison.OrdinalIgnoreCase) >= 0:
                case 404 when body.Trim().Length == 0 || body.IndexOf("dotnet-monitor", StringComparison.OrdinalIgnoreCase) >= 0:
                case 502 when body.IndexOf("could not be proxied", StringComparison.OrdinalIgnoreCase) >= 0:
                case 401 when credentialsAccepted && body.Trim().Length == 0:
                    return KuduPlatform.Linux;
                case int ok when ok < 300:
                    try
                    {
                        using JsonDocument doc = JsonDocument.Parse(body);
                        if (KuduJson.LooksLikeMonitorList(doc.RootElement))
                        {
                            return KuduPlatform.Linux;
                        }

                        return doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.GetArrayLength() > 0 ? KuduPlatform.Windows : KuduPlatform.Unknown;
                    }
                    catch (JsonException)
                    {
                        return KuduPlatform.Unknown;
                    }

                default:
                    return KuduPlatform.Unknown;
            }
        }
    }
}
