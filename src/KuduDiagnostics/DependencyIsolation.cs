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
    /// would look at the default one. Which copies are preloaded, and which requests the .NET Framework handler
    /// answers, is decided in <see cref="DependencyRules"/>. The API is reached by reflection because netstandard2.0 has no
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

            // Preload every dependency whose runtime copy is absent or older than ours (DependencyRules.PreferOurs),
            // before anything asks: the private context then serves one consistent set whatever asks first. On
            // .NET 8 that is our System.Text.Json 10 with our System.Text.Encodings.Web 10, not the runtime's 8.
            string[] platform = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty).Split(Path.PathSeparator);
            foreach (string file in DependencyRules.PreloadList(Directory.GetFiles(s_dependencyFolder, "*.dll"), platform, VersionOf, CoreAssemblyName))
            {
                s_loadFromAssemblyPath.Invoke(s_loadContext, new object[] { file });
            }

            return (Assembly)s_loadFromAssemblyPath.Invoke(s_loadContext, new object[] { corePath })!;
        }

        /// <summary>The private context's last resort, for a request neither the preloaded set nor the runtime answered.</summary>
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
                string? requesterLocation = requester == null ? null : requester.IsDynamic ? string.Empty : requester.Location;
                var loaded = new List<Assembly>();
                foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (!assembly.IsDynamic)
                    {
                        loaded.Add(assembly);
                    }
                }

                string? path = DependencyRules.ResolveOnNetFramework(
                    args.Name, requesterLocation, loaded.ConvertAll(a => a.Location), s_moduleFolder, Directory.GetFiles(s_dependencyFolder, "*.dll"));
                if (path == null)
                {
                    return null;
                }

                return loaded.Find(a => string.Equals(a.Location, path, StringComparison.OrdinalIgnoreCase)) ?? Assembly.LoadFrom(path);
            }
            catch
            {
                return null;
            }
        }

        /// <summary>The assembly version of a file, or null when it cannot be read (not managed, unreadable).</summary>
        private static Version? VersionOf(string path)
        {
            try
            {
                return AssemblyName.GetAssemblyName(path).Version;
            }
            catch
            {
                return null;
            }
        }
    }
}
