@{
    RootModule             = 'KuduDiagnostics.dll'
    ModuleVersion          = '0.1.0'
    GUID                   = '6f1c2a9e-4b7d-4e3a-9c58-2d7e0b1a9f34'
    Author                 = 'KuduDiagnostics contributors'
    CompanyName            = 'KuduDiagnostics contributors'
    Copyright              = '(c) KuduDiagnostics contributors. MIT License.'
    Description            = 'Capture process diagnostics and memory dumps from Azure App Service and Azure Functions through the Kudu (SCM) API: every instance, streamed to disk or Azure Blob Storage, with publishing credentials, Entra ID tokens or a managed identity.'
    PowerShellVersion      = '5.1'
    CompatiblePSEditions   = @('Core', 'Desktop')
    DotNetFrameworkVersion = '4.7.2'
    # The public types load first, at the root, so scripts can name them ([KuduDiagnostics.KuduProcess]).
    RequiredAssemblies     = @('KuduDiagnostics.Model.dll')
    FormatsToProcess       = @('KuduDiagnostics.format.ps1xml')
    CmdletsToExport        = @(
        'New-KuduSession'
        'Get-KuduSession'
        'Remove-KuduSession'
        'Get-KuduProcess'
        'Get-KuduProcessDetail'
        'Save-KuduProcessDump'
        'Get-KuduInstance'
        'Invoke-FunctionAppDump'
        'Get-KuduDumpAnalysis'
        'Watch-KuduProcess'
        'Get-KuduProcessThread'
        'Get-KuduProcessModule'
        'Stop-KuduProcess'
        'Save-KuduProcessProfile'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Azure', 'AppService', 'Functions', 'Kudu', 'Diagnostics', 'MemoryDump', 'Dump', 'SRE', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/kududiagnostics/KuduDiagnostics'
            LicenseUri   = 'https://github.com/kududiagnostics/KuduDiagnostics/blob/main/LICENSE'
            ReleaseNotes = 'First release: sessions (publishing credentials, publish settings, Entra ID tokens, managed identity, ARM resolution), processes and details across every instance, streamed Mini/Heap/Full dumps to disk or Azure Blob Storage, Invoke-FunctionAppDump for alert-fired runbooks. Changed since the previews: Save-KuduProcessDump -ThrottleLimit is requests per instance, as on every command; how many sites dump at once is -OverallThrottleLimit (default 4). See about_KuduDiagnostics_Throttling.'
        }
    }
}
