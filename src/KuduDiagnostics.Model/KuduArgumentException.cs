using System;

namespace KuduDiagnostics
{
    /// <summary>An argument the core cannot take: the fact, with advice the cmdlet layer phrases (which parameter to use).</summary>
    public sealed class KuduArgumentException : ArgumentException, IAdvisedException
    {
        public KuduArgumentException(string message, KuduAdvice advice)
            : base(message)
        {
            Advice = advice;
        }

        public KuduAdvice? Advice { get; }

        public string Fact => base.Message;

        public override string Message => _phrased ?? base.Message;

        private string? _phrased;

        void IAdvisedException.Phrase(string message) => _phrased ??= message;
    }
}
