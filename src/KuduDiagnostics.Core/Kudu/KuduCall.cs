using KuduDiagnostics.Http;

namespace KuduDiagnostics.Kudu
{
    /// <summary>
    /// What a request carries that is not what it is about: the command's request limiter and its trace. The facade
    /// makes one per call; the transport puts both in the message's properties, where the pipeline reads them.
    /// </summary>
    internal sealed class KuduCall
    {
        public KuduCall(RequestLimiter limiter, IKuduTrace trace)
        {
            Limiter = limiter;
            Trace = trace;
        }

        public RequestLimiter Limiter { get; }

        public IKuduTrace Trace { get; }
    }
}
