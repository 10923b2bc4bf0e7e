# The module must work whatever else the session loaded first: Az.Accounts brings its own, older Azure.Core.
BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $packages = if ($env:KUDU_TEST_NUGET_PACKAGES) { $env:KUDU_TEST_NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $otherAzureCore = Join-Path $packages 'azure.core/1.44.1/lib/netstandard2.0/Azure.Core.dll'
    $emulator = Start-KuduEmulator -Scenario @{ sites = @(@{ name = 'contoso'; instanceCount = 2; appWorkers = 1; extraProcesses = @(); dump = @{ sizes = @{ default = 262144 } } }) }
    $site = $emulator.Sites[0]
    $basic = New-EmulatorSession $emulator 'contoso'
    $worker = Get-KuduProcess -Session $basic -Instance $site.instances[0] -Id -1
    $basic | Remove-KuduSession -Confirm:$false
}

AfterAll {
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Beside another Azure.Core' -Skip:(-not $haveAzurite) {
    It 'works when <Order> loads' -ForEach @(
        @{ Order = 'OtherFirst' }
        @{ Order = 'ModuleFirst' }
    ) {
        Test-Path $otherAzureCore | Should -BeTrue -Because 'build.ps1 restores Azure.Core 1.44.1 from NuGet'
        $container = 'isolation-' + $Order.ToLowerInvariant()
        $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'scripts/IsolationProbe.ps1'),
            '-Order', $Order, '-Manifest', $ModuleManifest, '-OtherAzureCore', $otherAzureCore,
            '-ScmUrl', $site.scmUrl, '-UserName', $site.userName, '-Password', $site.password, '-Instance', $site.instances[0], '-ProcessId', $worker.Id,
            '-ConnectionString', $env:KUDU_TEST_AZURITE_CONNECTION, '-Container', $container,
            '-ResourceId', $site.resourceId, '-ArmUrl', $emulator.armUrl, '-IdentityEndpoint', $emulator.identityEndpoint, '-IdentityHeader', $emulator.identityHeader)
        New-TestContainer ([pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB }) $container

        $output = Invoke-Pwsh @arguments 2>&1
        $json = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1
        $json | Should -Not -BeNullOrEmpty -Because ($output -join "`n")
        $result = $json | ConvertFrom-Json

        $result.error | Should -BeNullOrEmpty
        $result.ok | Should -BeTrue
        $result.otherVersion | Should -Be '1.44.1.0'
        $result.otherScopes | Should -Be 'https://management.azure.com/.default'
        $result.blobLength | Should -Be 262144
        $result.identityProcesses | Should -Be 4
        $result.typeLiteral | Should -Be 'KuduDiagnostics.KuduDumpResult'
        # Both versions live side by side: the script's 1.44.1 and the module's own, private one.
        $result.azureCoreVersions | Should -Contain '1.44.1.0'
        @($result.azureCoreVersions | Where-Object { $_ -ne '1.44.1.0' }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Module layout' {
    It 'keeps the cmdlet and public-type assemblies at the root and every dependency in dependencies/' {
        $folder = Split-Path $ModuleManifest
        @(Get-ChildItem $folder -Filter *.dll).Name | Sort-Object | Should -Be @('KuduDiagnostics.dll', 'KuduDiagnostics.Model.dll')
        $dependencies = @(Get-ChildItem (Join-Path $folder 'dependencies') -Filter *.dll).Name
        $dependencies | Should -Contain 'KuduDiagnostics.Core.dll'
        $dependencies | Should -Contain 'Azure.Core.dll'
        $dependencies | Should -Contain 'Azure.Storage.Blobs.dll'
        $dependencies | Should -Contain 'Azure.Identity.dll'
    }

    It 'loads the core and the Azure SDK outside the default load context on PowerShell 7' {
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'KuduDiagnostics.Core' }
        $core | Should -Not -BeNullOrEmpty
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core[0]).Name | Should -Be 'KuduDiagnostics'
        $model = [KuduDiagnostics.KuduProcess].Assembly
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($model).Name | Should -Be 'Default'
    }
}
