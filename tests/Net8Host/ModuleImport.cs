using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Net8Host
{
    /// <summary>
    /// Import-Module of the built manifest, the loading half only: RequiredAssemblies and the RootModule are loaded
    /// with Assembly.LoadFrom into the default load context (as PowerShell does for a path), then every
    /// IModuleAssemblyInitializer of the root module is created and its OnImport called.
    /// </summary>
    internal static class ModuleImport
    {
        private const string InitializerNamespace = "System.Management.Automation";
        private const string InitializerName = "IModuleAssemblyInitializer";

        /// <summary>Imports the module in <paramref name="moduleFolder"/>; returns the initializers that ran.</summary>
        public static List<string> Import(string moduleFolder)
        {
            // KuduDiagnostics.psd1: RequiredAssemblies = KuduDiagnostics.Model.dll, RootModule = KuduDiagnostics.dll.
            Assembly.LoadFrom(Path.Combine(moduleFolder, "KuduDiagnostics.Model.dll"));
            string rootPath = Path.Combine(moduleFolder, "KuduDiagnostics.dll");
            Assembly root = Assembly.LoadFrom(rootPath);

            var ran = new List<string>();
            foreach (string typeName in InitializerTypes(rootPath))
            {
                Type type = root.GetType(typeName, throwOnError: true)!;
                var initializer = (IModuleAssemblyInitializer)Activator.CreateInstance(type)!;
                initializer.OnImport();
                ran.Add(typeName);
            }

            return ran;
        }

        /// <summary>
        /// Public classes that implement IModuleAssemblyInitializer, read from metadata: the stand-in has only that
        /// interface, so the cmdlet types (PSCmdlet) cannot be loaded here and the engine's type scan is not copied.
        /// </summary>
        private static List<string> InitializerTypes(string assemblyPath)
        {
            var found = new List<string>();
            using var pe = new PEReader(File.OpenRead(assemblyPath));
            MetadataReader md = pe.GetMetadataReader();
            foreach (TypeDefinitionHandle handle in md.TypeDefinitions)
            {
                TypeDefinition type = md.GetTypeDefinition(handle);
                if ((type.Attributes & TypeAttributes.VisibilityMask) != TypeAttributes.Public || (type.Attributes & TypeAttributes.Abstract) != 0)
                {
                    continue;
                }

                foreach (InterfaceImplementationHandle ih in type.GetInterfaceImplementations())
                {
                    EntityHandle iface = md.GetInterfaceImplementation(ih).Interface;
                    if (iface.Kind == HandleKind.TypeReference)
                    {
                        TypeReference reference = md.GetTypeReference((TypeReferenceHandle)iface);
                        if (md.GetString(reference.Name) == InitializerName && md.GetString(reference.Namespace) == InitializerNamespace)
                        {
                            found.Add(md.GetString(type.Namespace) + "." + md.GetString(type.Name));
                        }
                    }
                }
            }

            return found;
        }
    }
}
