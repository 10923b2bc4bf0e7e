using System;
using System.Net;
using System.Text.RegularExpressions;
using KuduDiagnostics.AzurePlatform;

namespace KuduDiagnostics.Session
{
    /// <summary>Works out and checks the address of a site's SCM (Kudu) endpoint.</summary>
    internal static class ScmAddress
    {
        // App Service names: letters, digits and hyphens, 2-60 characters; slots likewise.
        private static readonly Regex SiteNamePattern = new Regex("^[A-Za-z0-9][A-Za-z0-9-]{0,58}[A-Za-z0-9]$|^[A-Za-z0-9]$", RegexOptions.CultureInvariant);

        public static Uri FromName(string siteName, string? slot, AzureCloud cloud)
        {
            if (!SiteNamePattern.IsMatch(siteName))
            {
                throw new KuduArgumentException($"'{siteName}' is not an App Service site name (letters, digits and hyphens).", AdviceKey.UseScmUri);
            }

            if (slot != null && !SiteNamePattern.IsMatch(slot))
            {
                throw new ArgumentException($"'{slot}' is not a deployment slot name (letters, digits and hyphens).");
            }

            string label = slot == null ? siteName : siteName + "-" + slot;
            return new Uri("https://" + label.ToLowerInvariant() + "." + cloud.ScmSuffix + "/");
        }

        /// <summary>Accepts "https://host[:port][/]", or a bare host name (https is assumed).</summary>
        public static Uri Parse(string text)
        {
            string value = text.Trim();
            if (!value.Contains("://"))
            {
                value = (IsLoopbackHost(HostPart(value)) ? "http://" : "https://") + value;
            }

            if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"'{text}' is not an http(s) URI of an SCM site, such as https://contoso.scm.azurewebsites.net.");
            }

            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new KuduArgumentException("The SCM URI must not carry a query string or user information.", AdviceKey.CredentialsAsParameters);
            }

            string path = uri.AbsolutePath.EndsWith("/", StringComparison.Ordinal) ? uri.AbsolutePath : uri.AbsolutePath + "/";
            return new UriBuilder(uri.Scheme, uri.Host, uri.Port, path).Uri;
        }

        /// <summary>An SCM host from Resource Manager: https, except loopback (the emulator) which is reached over http.</summary>
        public static Uri FromArmHost(string hostName)
        {
            string host = hostName.Trim().TrimEnd('/');
            return new Uri((IsLoopbackHost(HostPart(host)) ? "http://" : "https://") + host + "/");
        }

        /// <summary>Refuses to send credentials in clear text, before any request leaves the machine.</summary>
        public static void EnsureEncryptedOrLoopback(Uri scmUri, bool allowUnencrypted)
        {
            if (scmUri.Scheme == Uri.UriSchemeHttp && !allowUnencrypted && !IsLoopbackHost(scmUri.Host))
            {
                throw new KuduException(KuduErrorKind.UnencryptedConnection,
                    $"Refusing to send credentials to {scmUri.Authority} over unencrypted http.", advice: AdviceKey.AllowUnencrypted);
            }
        }

        public static bool IsLoopbackHost(string host)
        {
            string h = host.Trim('[', ']');
            if (string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            return IPAddress.TryParse(h, out IPAddress? address) && IPAddress.IsLoopback(address);
        }

        /// <summary>"contoso" from "contoso.scm.azurewebsites.net" or "contoso-hash.scm.region.azurewebsites.net".</summary>
        public static string SiteNameFromHost(string host)
        {
            int scm = host.IndexOf(".scm.", StringComparison.OrdinalIgnoreCase);
            if (scm > 0)
            {
                return host.Substring(0, scm);
            }

            int dot = host.IndexOf('.');
            return IPAddress.TryParse(host, out _) || dot <= 0 ? host : host.Substring(0, dot);
        }

        private static string HostPart(string hostAndPort)
        {
            string value = hostAndPort;
            int slash = value.IndexOf('/');
            if (slash >= 0)
            {
                value = value.Substring(0, slash);
            }

            if (value.StartsWith("[", StringComparison.Ordinal))
            {
                int close = value.IndexOf(']');
                return close > 0 ? value.Substring(0, close + 1) : value;
            }

            int colon = value.LastIndexOf(':');
            return colon > 0 ? value.Substring(0, colon) : value;
        }
    }
}
