using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace KuduDiagnostics
{
    /// <summary>
    /// Which copy of a dependency each runtime gets: the decisions of <see cref="DependencyIsolation"/>, kept pure
    /// (names, versions and paths in, a choice out; nothing is loaded here) so tests can ask them directly.
    /// </summary>
    internal static class DependencyRules
    {
        /// <summary>
        /// PowerShell 7: ours when the runtime has no copy or an older one; the runtime's when it is at least as new.
        /// Applied to every file of dependencies/ before anything asks, so one consistent set serves every request
        /// whatever asks first (System.Text.Json 10 must meet System.Text.Encodings.Web 10, not the runtime's 8).
        /// A runtime copy as new as ours wins: two copies of System.Memory would split Span&lt;T&gt; in two.
        /// </summary>
        public static bool PreferOurs(Version ours, Version? runtime) => runtime == null || runtime < ours;

        /// <summary>
        /// The files of dependencies/ to preload into the private context, in the order given. Files whose version
        /// cannot be read (<paramref name="versionOf"/> returns null) are left out; a runtime copy whose version
        /// cannot be read counts as absent.
        /// </summary>
        public static List<string> PreloadList(IEnumerable<string> dependencyFiles, IEnumerable<string> platformFiles, Func<string, Version?> versionOf, string excludeName)
        {
            var platform = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string path in platformFiles)
            {
                if (path.Length > 0)
                {
                    platform[Path.GetFileNameWithoutExtension(path)] = path;
                }
            }

            var preload = new List<string>();
            foreach (string file in dependencyFiles)
            {
                string name = Path.GetFileNameWithoutExtension(file);
                if (string.Equals(name, excludeName, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                Version? ours = versionOf(file);
                if (ours == null)
                {
                    continue;
                }

                Version? runtime = platform.TryGetValue(name, out string? runtimePath) ? versionOf(runtimePath) : null;
                if (PreferOurs(ours, runtime))
                {
                    preload.Add(file);
                }
            }

            return preload;
        }

        /// <summary>
        /// Windows PowerShell 5.1: the file that answers a bind .NET Framework refused (it wants the exact version a
        /// reference names, and a module cannot ship binding redirects), or null to leave the request alone. Only
        /// our own assemblies are answered, with an assembly of ours already loaded under that name, else our file.
        /// </summary>
        /// <param name="requestedName">The display name the runtime asked for.</param>
        /// <param name="requesterLocation">Where the requesting assembly was loaded from; null when unknown, empty when dynamic.</param>
        /// <param name="loadedLocations">Where the assemblies already loaded came from (dynamic ones left out).</param>
        /// <param name="moduleFolder">The module's folder; everything under it is ours.</param>
        /// <param name="dependencyFiles">The files of dependencies/.</param>
        public static string? ResolveOnNetFramework(string requestedName, string? requesterLocation, IEnumerable<string> loadedLocations, string moduleFolder, IEnumerable<string> dependencyFiles)
        {
            // Another module's request (Az.Accounts asking for its Azure.Core) is not ours to answer.
            if (requesterLocation != null && !IsUnder(requesterLocation, moduleFolder))
            {
                return null;
            }

            string name = new AssemblyName(requestedName).Name ?? string.Empty;
            foreach (string loaded in loadedLocations)
            {
                if (IsUnder(loaded, moduleFolder) && HasName(loaded, name))
                {
                    return loaded;
                }
            }

            foreach (string file in dependencyFiles)
            {
                if (HasName(file, name))
                {
                    return file;
                }
            }

            return null;
        }

        private static bool HasName(string path, string name) =>
            string.Equals(Path.GetFileName(path), name + ".dll", StringComparison.OrdinalIgnoreCase);

        private static bool IsUnder(string path, string folder)
        {
            // "/m/KuduDiagnostics" must not claim "/m/KuduDiagnosticsOther/x.dll".
            folder = folder.TrimEnd('/', '\\');
            return path.Length > folder.Length + 1
                && path.StartsWith(folder, StringComparison.OrdinalIgnoreCase)
                && (path[folder.Length] == '/' || path[folder.Length] == '\\');
        }
    }
}
