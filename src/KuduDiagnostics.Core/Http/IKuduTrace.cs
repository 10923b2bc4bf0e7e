namespace KuduDiagnostics.Http
{
    /// <summary>Where the core reports what it does; the cmdlets route it to the Verbose and Debug streams.</summary>
    /// <remarks>Called from any thread. Nothing passed here may contain a credential, token or SAS.</remarks>
    public interface IKuduTrace
    {
        void Verbose(string message);

        void Debug(string message);

        void Warning(string message);

        /// <summary>A verbose fact with advice the cmdlet layer phrases (which parameter to use); a line that ends with a failure's message passes that failure's advice (a Kudu call's: it joins the end of the line).</summary>
        void Verbose(string fact, KuduAdvice? advice);

        /// <summary>A warning's fact with advice the cmdlet layer phrases.</summary>
        void Warning(string fact, KuduAdvice? advice);
    }

    internal sealed class NullTrace : IKuduTrace
    {
        public static readonly NullTrace Instance = new NullTrace();

        public void Verbose(string message)
        {
        }

        public void Debug(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Verbose(string fact, KuduAdvice? advice)
        {
        }

        public void Warning(string fact, KuduAdvice? advice)
        {
        }
    }
}
