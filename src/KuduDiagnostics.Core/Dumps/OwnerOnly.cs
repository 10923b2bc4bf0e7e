using System;
using System.IO;
using System.Reflection;

namespace KuduDiagnostics.Dumps
{
    /// <summary>Makes a new file readable and writable by its owner only (mode 0600) on Linux and macOS.</summary>
    /// <remarks>
    /// On Windows the file inherits the folder's ACL, as files normally do. File.SetUnixFileMode exists from
    /// .NET 7 (PowerShell 7.4+); it is reached by reflection because this assembly targets netstandard2.0.
    /// </remarks>
    internal static class OwnerOnly
    {
        private const int UserReadWrite = 0x180; // 0600

        private static readonly MethodInfo? s_setUnixFileMode =
            typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), typeof(File).Assembly.GetType("System.IO.UnixFileMode") ?? typeof(int) });

        public static bool IsSupported => s_setUnixFileMode != null && Path.DirectorySeparatorChar == '/';

        public static void Restrict(string path)
        {
            if (!IsSupported)
            {
                return;
            }

            Type modeType = s_setUnixFileMode!.GetParameters()[1].ParameterType;
            try
            {
                s_setUnixFileMode.Invoke(null, new[] { path, Enum.ToObject(modeType, UserReadWrite) });
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw ex.InnerException;
            }
        }
    }
}
