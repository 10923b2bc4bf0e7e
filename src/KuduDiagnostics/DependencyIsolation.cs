using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace KuduDiagnostics
{
    /// <summary>
    /// Loads KuduDiagnostics.Core and the Azure SDK from dependencies/ so they cannot clash with another Azure.Core
    /// in the session (Az.Accounts ships its own). On PowerShell 7 they go into a private AssemblyLoadContext; on
    /// Windows PowerShell 5.1, which loads differing versions side by side anyway, they are loaded from that folder.
    /// </summary>
    /// <remarks>
    /// Only requests for KuduDiagnostics.Core are answered in the default context: that name is ours alone. The
    /// core's own references then bind inside the private context, which finds its preloaded assemblies before it
    /// would look at the default one. The API is reached by reflection because netstandard2.0 has no
    /// AssemblyLoadContext. Handlers never throw: resolve events also run on PowerShell's background threads.
    /// </remarks>
    public sealed class DependencyIsolation : IModuleAssemblyInitializer
    {
        private const string CoreAssemblyName = "KuduDiagnostics.Core";
        private static readonly object s_lock = new object();
        private static readonly string s_moduleFolder = Path.GetDirectoryName(typeof(DependencyIsolation).Assembly.Location) ?? ".";
        private static readonly string s_dependencyFolder = Path.Combine(s_moduleFolder, "dependencies");
        private static bool s_hooked;
        private static Assembly? s_core;
        private static object? s_loadContext;
        private static MethodInfo? s_loadFromAssemblyPath;

        public void OnImport()
        {
            lock (s_lock)
            {
                if (!s_hooked)
                {
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveCore;
                    s_hooked = true;
                }
            }
        }

        private static Assembly? ResolveCore(object? sender, ResolveEventArgs args)
        {
            try
            {
                if (!string.Equals(new AssemblyName(args.Name).Name, CoreAssemblyName, StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                lock (s_lock)
                {
                    return s_core ??= LoadCore();
                }
            }
            catch
            {
                return null;
            }
        }

        private static Assembly LoadCore()
        {
            string corePath = Path.Combine(s_dependencyFolder, CoreAssemblyName + ".dll");
            Type? contextType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            if (contextType == null)
            {
                // .NET Framework: no load contexts; stand in for the binding redirects a module cannot ship.
                AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
                return Assembly.LoadFrom(corePath);
            }

            s_loadFromAssemblyPath = contextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
            s_loadContext = contextType.GetConstructor(new[] { typeof(string), typeof(bool) })!.Invoke(new object[] { "KuduDiagnostics", false });
            EventInfo resolving = contextType.GetEvent("Resolving")!;
            MethodInfo handler = typeof(DependencyIsolation).GetMethod(nameof(ResolveInPrivateContext), BindingFlags.NonPublic | BindingFlags.Static)!;
            resolving.AddEventHandler(s_loadContext, Delegate.CreateDelegate(resolving.EventHandlerType!, handler));

            // Preload what PowerShell itself does not provide, so the private context finds ours first. The
            // System.* assemblies PowerShell ships (same or newer versions) are left to it: two copies of
            // System.Memory would split Span<T> into two incompatible types.
            var platform = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string path in (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty).Split(Path.PathSeparator))
            {
                if (path.Length > 0)
                {
                    platform.Add(Path.GetFileNameWithoutExtension(path));
                }
            }

            foreach (string file in Directory.GetFiles(s_dependencyFolder, "*.dll"))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                if (!platform.Contains(name) && !string.Equals(name, CoreAssemblyName, StringComparison.OrdinalIgnoreCase))
                {
                    s_loadFromAssemblyPath.Invoke(s_loadContext, new object[] { file });
                }
            }

            return (Assembly)s_loadFromAssemblyPath.Invoke(s_loadContext, new object[] { corePath })!;
        }

        /// <summary>The private context's fallback, e.g. a newer System.Text.Json than an older PowerShell ships.</summary>
        private static Assembly? ResolveInPrivateContext(object context, AssemblyName name)
        {
            try
            {
                string path = Path.Combine(s_dependencyFolder, name.Name + ".dll");
                return File.Exists(path) ? (Assembly?)s_loadFromAssemblyPath!.Invoke(context, new object[] { path }) : null;
            }
            catch
            {
                return null;
            }
        }

        private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
        {
            try
            {
                Assembly? requester = args.RequestingAssembly;
                if (requester != null && !IsOurs(requester))
                {
                    return null;
                }

                string name = new AssemblyName(args.Name).Name ?? string.Empty;
                foreach (Assembly loaded in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (IsOurs(loaded) && string.Equals(loaded.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
                    {
                        return loaded;
                    }
                }

                string path = Path.Combine(s_dependencyFolder, name + ".dll");
                return File.Exists(path) ? Assembly.LoadFrom(path) : null;
            }
            catch
            {
                return null;
            }
        }

        private static bool IsOurs(Assembly assembly) =>
            !assembly.IsDynamic && assembly.Location.StartsWith(s_moduleFolder, StringComparison.OrdinalIgnoreCase);
    }
}
