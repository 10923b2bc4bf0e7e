using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Core.Pipeline;
using KuduDiagnostics.AzurePlatform;
using KuduDiagnostics.Http;
using KuduDiagnostics.Kudu;

namespace KuduDiagnostics.Session
{
    /// <summary>
    /// The private half of a <see cref="KuduSession"/>: the authenticated pipeline, the site's wire contract over
    /// it, and the request limiter its requests share unless a command brings its own bounds.
    /// </summary>
    internal sealed class KuduConnection : IKuduConnection
    {
        private readonly DisposableHttpPipeline _pipeline;

        public KuduConnection(DisposableHttpPipeline pipeline, Uri scmUri, ResourceManagerClient? arm, TokenCredential? azureIdentity, Action<KuduPlatform> platformKnown, Action<DotnetMonitorRoutes> routesKnown, TimeSpan? timeout = null)
        {
            _pipeline = pipeline;
            Contract = new PlatformDetection(new KuduTransport(pipeline, scmUri, timeout), platformKnown, new SiteAnswers(routesKnown));
            Arm = arm;
            AzureIdentity = azureIdentity;
        }

        /// <summary>The Azure identity of the session, also used for blob storage; null for Basic and static tokens.</summary>
        public TokenCredential? AzureIdentity { get; }

        /// <summary>The site's wire contract: Windows or Linux, known from Resource Manager or the first process list.</summary>
        public PlatformDetection Contract { get; }

        /// <summary>
        /// The bounds of callers that bring none: completers, the session's own checks, and commands that send one request
        /// at a time or a few long ones (Stop-KuduProcess, profiles). A command with throttle parameters brings its own.
        /// </summary>
        public RequestLimiter Limiter { get; } = new RequestLimiter(RequestLimiter.DefaultOverall, RequestLimiter.DefaultPerInstance);

        /// <summary>The instances met and the one the session stays on (the client itself stays stateless).</summary>
        public KuduAffinity Affinity { get; } = new KuduAffinity();

        public string? PinnedInstance => Affinity.Pinned;

        public ResourceManagerClient? Arm { get; }

        public void Dispose()
        {
            _pipeline.Dispose();
            Arm?.Dispose();
        }
    }

    /// <summary>What the layers above reach through a session.</summary>
    internal static class KuduSessionConnection
    {
        /// <summary>The site's process API; <paramref name="limiter"/> bounds this caller's requests (default: the session's).</summary>
        public static KuduClient Kudu(this KuduSession session, RequestLimiter? limiter = null)
        {
            KuduConnection connection = Of(session);
            return new KuduClient(session, connection.Contract, limiter ?? connection.Limiter, connection.Affinity);
        }

        public static TokenCredential? AzureIdentity(this KuduSession session) => Of(session).AzureIdentity;

        /// <summary>Every instance of the site, from Resource Manager.</summary>
        public static async Task<List<KuduInstance>> ListInstancesAsync(this KuduSession session, IKuduTrace trace, CancellationToken cancellationToken)
        {
            ResourceManagerClient? arm = Of(session).Arm;
            if (arm == null || session.ResourceId == null)
            {
                throw new KuduException(KuduErrorKind.InstancesUnavailable,
                    $"Listing the instances of {session.SiteName} needs Azure Resource Manager.", advice: AdviceKey.InstancesNeedResourceManager);
            }

            List<KuduInstance> instances = await arm.ListInstancesAsync(SiteResourceId.Parse(session.ResourceId), trace, cancellationToken).ConfigureAwait(false);
            KuduAffinity affinity = Of(session).Affinity;
            foreach (KuduInstance instance in Stamp(instances, session))
            {
                instance.MachineName ??= affinity.MachineNameOf(instance.Instance);
            }

            return instances;
        }

        /// <summary>The instances this session has met (answered it), with their machine names.</summary>
        public static IReadOnlyList<KuduInstance> MetInstances(this KuduSession session)
        {
            return Stamp(Of(session).Affinity.Met, session);
        }

        // Every instance a session hands out names that session: set here only.
        private static T Stamp<T>(T instances, KuduSession session)
            where T : IEnumerable<KuduInstance>
        {
            foreach (KuduInstance instance in instances)
            {
                instance.Session = session;
            }

            return instances;
        }

        /// <summary>The machine name of an instance as its Kudu said it (null when not known yet).</summary>
        public static string? MachineNameOf(this KuduSession session, string? instance) =>
            instance == null ? null : Of(session).Affinity.MachineNameOf(instance);

        /// <summary>True when the session can list instances (it was resolved through Resource Manager).</summary>
        public static bool CanListInstances(this KuduSession session) => Of(session).Arm != null && session.ResourceId != null;

        private static KuduConnection Of(KuduSession session)
        {
            session.ThrowIfClosed();
            return (KuduConnection)session.Connection;
        }
    }
}
