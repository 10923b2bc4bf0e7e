using System;
using System.Threading;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// What a session's site has already answered, shared by both platforms' contracts: error answers mean more
    /// once it is known that the credentials passed and that the process list works.
    /// </summary>
    internal sealed class SiteAnswers
    {
        private readonly Action<DotnetMonitorRoutes> _routesKnown;
        private int _routes;
        private volatile bool _credentialsAccepted;
        private volatile bool _listAnswered;

        public SiteAnswers(Action<DotnetMonitorRoutes>? routesKnown = null)
        {
            _routesKnown = routesKnown ?? (_ => { });
        }

        /// <summary>The front end let an authenticated request of this session through (New-KuduSession's check, or any list).</summary>
        public bool CredentialsAccepted => _credentialsAccepted;

        /// <summary>A process list answered 200: the process API exists and, on Linux, KuduLite reaches dotnet-monitor.</summary>
        public bool ListAnswered => _listAnswered;

        public DotnetMonitorRoutes Routes => (DotnetMonitorRoutes)Volatile.Read(ref _routes);

        public void AcceptedCredentials() => _credentialsAccepted = true;

        public void AnsweredList()
        {
            _credentialsAccepted = true;
            _listAnswered = true;
        }

        /// <summary>Records what a detail or dump showed; true the first time the routes are found not served.</summary>
        public bool Learn(DotnetMonitorRoutes routes)
        {
            // Served is only taken over Unknown; NotServed wins over either (a later, newer container says so).
            int before = routes == DotnetMonitorRoutes.NotServed
                ? Interlocked.Exchange(ref _routes, (int)routes)
                : Interlocked.CompareExchange(ref _routes, (int)routes, (int)DotnetMonitorRoutes.Unknown);
            if (before != (int)routes && (routes == DotnetMonitorRoutes.NotServed || before == (int)DotnetMonitorRoutes.Unknown))
            {
                _routesKnown(routes);
            }

            return routes == DotnetMonitorRoutes.NotServed && before != (int)DotnetMonitorRoutes.NotServed;
        }
    }
}
