# The packages build.ps1 -Task Package makes (the Test task makes them first): a Gallery .nupkg and a zip for
# Azure Automation, each installed into a temp module path and imported by name in a fresh pwsh.
BeforeDiscovery {
    $script:packageFolder = if ($env:KUDU_TEST_PACKAGE) { $env:KUDU_TEST_PACKAGE } else { Join-Path $PSScriptRoot '../../out/package' }
    $script:havePackage = Test-Path (Join-Path $packageFolder 'KuduDiagnostics.zip')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $packageFolder = if ($env:KUDU_TEST_PACKAGE) { $env:KUDU_TEST_PACKAGE } else { Join-Path $RepoRoot 'out/package' }
    $exported = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport

    function Test-ImportByName {
        param([string] $ModulePath)
        $probe = {
            param($ModulePath)
            $env:PSModulePath = $ModulePath
            $module = Import-Module KuduDiagnostics -PassThru -ErrorAction Stop
            [ordered]@{
                path     = $module.Path
                version  = $module.Version.ToString()
                commands = @(Get-Command -Module KuduDiagnostics | ForEach-Object Name | Sort-Object)
                synopsis = (Get-Help New-KuduSession).Synopsis
            } | ConvertTo-Json -Compress
        }
        $output = Invoke-Pwsh -NoProfile -NonInteractive -Command "& { $probe } '$ModulePath'" 2>&1
        $json = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1
        if (-not $json) { throw ($output -join "`n") }
        $json | ConvertFrom-Json
    }
}

Describe 'Packaging' -Skip:(-not $havePackage) {
    It 'has a clean manifest with what the Gallery shows' {
        $manifest = Test-ModuleManifest -Path (Join-Path $packageFolder 'KuduDiagnostics/*/KuduDiagnostics.psd1' | Resolve-Path) -ErrorAction Stop
        $manifest.Description | Should -Not -BeNullOrEmpty
        $manifest.Author | Should -Not -BeNullOrEmpty
        $manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.Tags | Should -Contain 'Kudu'
        $manifest.ReleaseNotes | Should -Not -BeNullOrEmpty
        $manifest.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $manifest.ExportedCmdlets.Keys | Sort-Object | Should -Be ($exported | Sort-Object)
    }

    It 'installs the .nupkg from a repository with Save-PSResource and imports it by name' {
        $repository = New-TestFolder
        Copy-Item (Join-Path $packageFolder '*.nupkg') $repository
        $name = "KuduDiagnosticsTest$PID"
        Register-PSResourceRepository -Name $name -Uri $repository -Trusted
        try {
            $modules = New-TestFolder
            Save-PSResource -Name KuduDiagnostics -Repository $name -Path $modules -TrustRepository -SkipDependencyCheck
        }
        finally { Unregister-PSResourceRepository -Name $name }

        $result = Test-ImportByName $modules
        $result.path | Should -BeLike "$modules*"
        $result.commands | Should -Be ($exported | Sort-Object)
        $result.synopsis | Should -Not -BeNullOrEmpty
    }

    It 'imports the Azure Automation zip by name once expanded into a module folder' {
        $modules = New-TestFolder
        Expand-Archive -Path (Join-Path $packageFolder 'KuduDiagnostics.zip') -DestinationPath (Join-Path $modules 'KuduDiagnostics')
        Test-Path (Join-Path $modules 'KuduDiagnostics/KuduDiagnostics.psd1') | Should -BeTrue -Because 'Automation wants the manifest at the root of the zip'

        $result = Test-ImportByName $modules
        $result.commands | Should -Be ($exported | Sort-Object)
        $result.synopsis | Should -Not -BeNullOrEmpty
    }
}

Describe 'License' {
    It 'has the MIT LICENSE that the manifest''s LicenseUri points at' {
        $uri = (Import-PowerShellDataFile (Join-Path $RepoRoot 'KuduDiagnostics.psd1')).PrivateData.PSData.LicenseUri
        $uri | Should -BeLike '*/blob/main/LICENSE'
        $file = Join-Path $RepoRoot 'LICENSE'
        $file | Should -Exist
        (Get-Content -Raw $file) | Should -BeLike 'MIT License*Permission is hereby granted, free of charge*'
    }
}
