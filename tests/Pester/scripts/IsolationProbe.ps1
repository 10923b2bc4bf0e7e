# Run in a fresh pwsh by Isolation.Tests.ps1: loads another Azure.Core before or after KuduDiagnostics, then uses
# both. Prints one JSON line with what happened; exits 0 even on failure so the test can show the reason.
param(
    [ValidateSet('OtherFirst', 'ModuleFirst')] [string] $Order,
    [string] $Manifest, [string] $OtherAzureCore,
    [string] $ScmUrl, [string] $UserName, [string] $Password, [string] $Instance, [int] $ProcessId,
    [string] $ConnectionString, [string] $Container,
    [string] $ResourceId, [string] $ArmUrl, [string] $IdentityEndpoint, [string] $IdentityHeader
)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{ order = $Order; ok = $false; error = $null }
try {
    $env:IDENTITY_ENDPOINT = $IdentityEndpoint
    $env:IDENTITY_HEADER = $IdentityHeader

    function Use-OtherAzureCore {
        Add-Type -Path $OtherAzureCore
        # A script using the other Azure.Core, as Az.Accounts would.
        $context = [Azure.Core.TokenRequestContext]::new([string[]] @('https://management.azure.com/.default'))
        $result.otherScopes = $context.Scopes[0]
        $result.otherVersion = $context.GetType().Assembly.GetName().Version.ToString()
    }

    function Use-Module {
        $credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
        $basic = New-KuduSession -ScmUri $ScmUrl -Name contoso -Credential $credential
        $dump = Save-KuduProcessDump -Session $basic -Instance $Instance -Id $ProcessId -ConnectionString $ConnectionString -Container $Container -Force -Confirm:$false
        $result.blobName = $dump.BlobName
        $result.blobLength = $dump.Length
        $identity = New-KuduSession -ResourceId $ResourceId -UseAzureIdentity -ResourceManagerUrl $ArmUrl
        $result.identityProcesses = @(Get-KuduProcess -Session $identity -AllInstances).Count
        $result.typeLiteral = [KuduDiagnostics.KuduDumpResult].FullName
    }

    if ($Order -eq 'OtherFirst') { Use-OtherAzureCore; Import-Module $Manifest; Use-Module }
    else { Import-Module $Manifest; Use-Module; Use-OtherAzureCore; Use-Module }

    $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Azure.Core' }
    $result.azureCoreVersions = @($loaded | ForEach-Object { $_.GetName().Version.ToString() } | Sort-Object)
    $result.ok = $true
}
catch {
    $result.error = "$($_.Exception.GetType().FullName): $($_.Exception.Message)"
}
$result | ConvertTo-Json -Compress
