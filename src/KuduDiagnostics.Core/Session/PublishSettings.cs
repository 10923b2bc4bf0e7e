using System;
using System.IO;
using System.Xml;

namespace KuduDiagnostics.Session
{
    /// <summary>The SCM host and publishing credentials read from a .PublishSettings file (the portal's "Download publish profile").</summary>
    internal sealed class PublishSettings
    {
        private PublishSettings(string siteName, Uri scmUri, string userName, string password)
        {
            SiteName = siteName;
            ScmUri = scmUri;
            UserName = userName;
            Password = password;
        }

        public string SiteName { get; }
        public Uri ScmUri { get; }
        public string UserName { get; }
        public string Password { get; }

        public static PublishSettings Load(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new PublishSettingsException($"Cannot read the publish settings file '{path}': {ex.Message}", ex);
            }

            return Parse(text, path);
        }

        /// <summary>Takes the Web Deploy profile (its publishUrl is the SCM host), or else the Zip Deploy one.</summary>
        public static PublishSettings Parse(string xml, string source)
        {
            var document = new XmlDocument { XmlResolver = null };
            try
            {
                using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                document.Load(reader);
            }
            catch (XmlException ex)
            {
                // XmlException's message quotes no attribute values, so it cannot leak the password.
                throw new PublishSettingsException($"'{source}' is not a publish settings file: it is not well-formed XML (line {ex.LineNumber}, position {ex.LinePosition}).", ex);
            }

            XmlElement? root = document.DocumentElement;
            if (root == null || root.LocalName != "publishData")
            {
                throw new PublishSettingsException($"'{source}' is not a publish settings file: its root element is <{root?.LocalName}>, not <publishData>.");
            }

            XmlElement? profile = FindProfile(root, "MSDeploy") ?? FindProfile(root, "ZipDeploy");
            if (profile == null)
            {
                throw new PublishSettingsException($"'{source}' has no Web Deploy (MSDeploy) or Zip Deploy publish profile, which carry the SCM host. Download the publish profile of the app again from the portal.");
            }

            string profileName = profile.GetAttribute("profileName");
            string publishUrl = profile.GetAttribute("publishUrl");
            string userName = profile.GetAttribute("userName");
            string password = profile.GetAttribute("userPWD");
            if (string.IsNullOrWhiteSpace(publishUrl) || string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
            {
                throw new PublishSettingsException($"The profile '{profileName}' in '{source}' lacks publishUrl, userName or userPWD. Basic publishing credentials may be disabled for the app; use an Entra ID token instead.");
            }

            Uri scmUri = ScmUriFromPublishUrl(publishUrl)
                ?? throw new PublishSettingsException($"The profile '{profileName}' in '{source}' has a publishUrl that is not a host name: '{publishUrl}'.");

            string siteName = profile.GetAttribute("msdeploySite");
            if (string.IsNullOrWhiteSpace(siteName))
            {
                siteName = ScmAddress.SiteNameFromHost(scmUri.Host);
            }

            return new PublishSettings(siteName, scmUri, userName, password);
        }

        private static XmlElement? FindProfile(XmlElement root, string method)
        {
            foreach (XmlNode node in root.ChildNodes)
            {
                if (node is XmlElement e && e.LocalName == "publishProfile" && string.Equals(e.GetAttribute("publishMethod"), method, StringComparison.OrdinalIgnoreCase))
                {
                    return e;
                }
            }

            return null;
        }

        private static Uri? ScmUriFromPublishUrl(string publishUrl)
        {
            // "contoso.scm.azurewebsites.net:443" for Web Deploy; sometimes a full https:// URL.
            string text = publishUrl.Trim();
            if (!text.Contains("://"))
            {
                text = "https://" + text;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
            {
                return null;
            }

            var builder = new UriBuilder(uri.Scheme == "http" ? "http" : "https", uri.Host, uri.IsDefaultPort || uri.Port == 443 ? -1 : uri.Port, "/");
            return builder.Uri;
        }
    }

    internal sealed class PublishSettingsException : Exception
    {
        public PublishSettingsException(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }
}
