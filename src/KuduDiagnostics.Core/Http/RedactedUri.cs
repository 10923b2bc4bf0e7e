using System;
using System.Text;

namespace KuduDiagnostics.Http
{
    /// <summary>Makes URIs safe to print: drops the query string's secret parameters (SAS signatures, tokens).</summary>
    internal static class RedactedUri
    {
        private static readonly string[] SecretParameters = { "sig", "signature", "token", "code", "access_token", "skoid", "sktid", "skt", "ske", "sks", "skv", "skdutid", "sduoid" };

        /// <summary>Drops the query of every URI inside a message (SDK messages may quote request URIs).</summary>
        public static string StripQueries(string message) =>
            System.Text.RegularExpressions.Regex.Replace(message, @"(https?://[^\s?'""]+)\?[^\s'""]*", "$1?REDACTED");

        public static string Of(Uri uri)
        {
            if (string.IsNullOrEmpty(uri.Query))
            {
                return uri.GetLeftPart(UriPartial.Path);
            }

            var query = new StringBuilder();
            foreach (string pair in uri.Query.TrimStart('?').Split('&'))
            {
                if (pair.Length == 0)
                {
                    continue;
                }

                int eq = pair.IndexOf('=');
                string name = eq < 0 ? pair : pair.Substring(0, eq);
                query.Append(query.Length == 0 ? '?' : '&');
                query.Append(Array.Exists(SecretParameters, s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase))
                    ? name + "=REDACTED"
                    : pair);
            }

            return uri.GetLeftPart(UriPartial.Path) + query;
        }
    }
}
