namespace System.Management.Automation
{
    /// <summary>Same name and shape as PowerShell's: the engine calls OnImport when it imports a binary module.</summary>
    public interface IModuleAssemblyInitializer
    {
        void OnImport();
    }
}
