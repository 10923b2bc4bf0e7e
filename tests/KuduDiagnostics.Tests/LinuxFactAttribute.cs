using System;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>A fact that needs Linux (an ELF runtime beside the test): reported as skipped elsewhere, never as a pass.</summary>
    public sealed class LinuxFactAttribute : FactAttribute
    {
        public LinuxFactAttribute(string why)
        {
            if (!OperatingSystem.IsLinux())
            {
                Skip = "Needs Linux: " + why;
            }
        }
    }
}
