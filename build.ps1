<#
.SYNOPSIS
    Builds, tests, demonstrates, benchmarks and packages KuduDiagnostics.
.DESCRIPTION
    Bootstraps everything it needs itself: the .NET build, Pester from NuGet (there is no PowerShell
    Gallery on CI), and Azurite from npm. Run it with the PowerShell of the repository's dotnet tool
    manifest:  dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.PARAMETER Task
    Build   lays out the module in out/KuduDiagnostics.
    Test    xunit, Pester (pwsh 7.6 on .NET 10) and the .NET 8 host leg (tests/Net8Host on a .NET 8.0.34 runtime
            from NuGet); prints one line per leg, then "N passed, N failed"; exit code 1 on any failure.
    Demo    starts the Kudu emulator (unless a real app is given), runs the main job against it, shows the result.
    Playground  builds, starts the Kudu emulator (demo scenario, a free port) and opens a pwsh with the module
            imported and a session to contoso-func made; the emulator stops when that shell exits.
    Bench   benchmarks against curl and Invoke-WebRequest, in the same run (see docs/benchmarks.md).
    Package the versioned module folder, a .nupkg for the Gallery and a zip for Azure Automation.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Playground
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo -SiteName contoso -Credential (Get-Credential)
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Playground', 'Bench', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tests to run (paths or names under tests/Pester); all by default.
    [string[]] $PesterPath,

    # Demo against a real app: its name (or use -ResourceId) and how to sign in.
    [string] $SiteName,
    [string] $ResourceId,
    [pscredential] $Credential,
    [switch] $UseAzureIdentity,

    # Demo and Playground: where the dumps go (a temp folder by default, removed at the end).
    [string] $DumpPath,

    # Playground: run this in the prepared shell and print its output, instead of staying interactive.
    [string] $Command
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# Windows PowerShell 5.1 (the workflow's powershell job) has no $PSStyle and writes no colour codes anyway.
if ($PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'KuduDiagnostics'
$TestResults = Join-Path $Out 'test-results'
$EmulatorDll = Join-Path $Root "tests/KuduEmulator/bin/$Configuration/net10.0/KuduEmulator.dll"
$LinuxTargetDll = Join-Path $Root "tests/LinuxTarget/bin/$Configuration/net10.0/LinuxTarget.dll"

Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
Import-Module (Join-Path $Root 'tests/Tools/Net8Leg.psm1') -Force
Import-Module (Join-Path $Root 'tests/Tools/Playground.psm1') -Force

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Write-Host "== Build ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'KuduDiagnostics.sln'), '-c', $Configuration, '--nologo', '-v', 'q', '-clp:ErrorsOnly')
    Build-ModuleLayout -SourceRoot (Join-Path $Root 'src') -Configuration $Configuration -ManifestPath (Join-Path $Root 'KuduDiagnostics.psd1') -Destination $ModuleOut
    # Help is written in docs/*.md (the source of truth) and compiled to MAML here; there is no platyPS.
    Import-Module (Join-Path $Root 'tests/Tools/HelpGenerator.psm1') -Force
    ConvertTo-MamlHelp -DocsPath (Join-Path $Root 'docs') -OutputPath (Join-Path $ModuleOut 'en-US/KuduDiagnostics.dll-Help.xml') | Out-Null
    # Conceptual topics (Get-Help about_KuduDiagnostics_*) are plain text already.
    Copy-Item -Path (Join-Path $Root 'docs/about_*.help.txt') -Destination (Join-Path $ModuleOut 'en-US') -Force
    Write-Host "   module laid out in $ModuleOut"
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Initialize-TestTools {
    Write-Host '== Bootstrap test tools (Pester from NuGet)'
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/Tools/Bootstrap.csproj'), '--nologo', '-v', 'q')
    $packages = Get-NuGetPackagesFolder
    $pester = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester was restored but $pester is missing." }
    $env:KUDU_TEST_NUGET_PACKAGES = $packages
    return $pester
}

function Invoke-Test {
    Invoke-Build
    New-Item -ItemType Directory -Force -Path $TestResults | Out-Null
    $pesterManifest = Initialize-TestTools

    $env:KUDU_TEST_MODULE = Join-Path $ModuleOut 'KuduDiagnostics.psd1'
    $env:KUDU_TEST_PACKAGE = (& (Join-Path $Root 'tests/Tools/New-ModulePackage.ps1') -Root $Root -ModulePath $ModuleOut).Nupkg | Split-Path
    $env:KUDU_TEST_EMULATOR = $EmulatorDll
    $env:KUDU_TEST_LINUX_TARGET = $LinuxTargetDll

    Write-Host '== xunit'
    $trx = Join-Path $TestResults 'xunit.trx'
    Remove-Item $trx -ErrorAction Ignore
    dotnet test (Join-Path $Root 'tests/KuduDiagnostics.Tests/KuduDiagnostics.Tests.csproj') -c $Configuration --no-build --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' | Out-Host
    $xunit = Read-TrxCounts -Path $trx

    $azurite = $null
    try {
        $azurite = Start-TestAzurite -Root $Root
        if ($azurite) {
            $env:KUDU_TEST_AZURITE_BLOB = $azurite.BlobEndpoint
            $env:KUDU_TEST_AZURITE_CONNECTION = $azurite.ConnectionString
        }

        Write-Host '== Pester'
        Import-Module $pesterManifest -Force
        $config = New-PesterConfiguration
        $paths = if ($PesterPath) {
            # From "pwsh -File" a list arrives as one comma-separated string.
            foreach ($p in ($PesterPath -split ',')) { if (Test-Path $p) { $p } else { Join-Path $Root "tests/Pester/$p" } }
        } else { Join-Path $Root 'tests/Pester' }
        $config.Run.Path = $paths
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = Join-Path $TestResults 'pester.xml'
        $result = Invoke-Pester -Configuration $config

        # Azure Automation's PowerShell 7.4 runs on .NET 8: the module imported there, with Azurite still up.
        try {
            $net8 = Invoke-Net8Leg -Root $Root -Configuration $Configuration -PackagesFolder $env:KUDU_TEST_NUGET_PACKAGES `
                -ModulePath $ModuleOut -EmulatorDll $EmulatorDll -Azurite $azurite
        }
        catch {
            Write-Host "   the .NET 8 leg could not run: $_"
            $net8 = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = $false }
        }
    }
    finally {
        if ($azurite) { Stop-TestAzurite $azurite }
    }

    if (-not $result) { throw 'Pester returned no result.' }
    $pesterFailed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $passed = $xunit.Passed + $result.PassedCount + $net8.Passed
    $failed = $xunit.Failed + $pesterFailed + $net8.Failed
    Write-Host ''
    Write-Host ('xunit (.NET {0}): {1} passed, {2} failed' -f [Environment]::Version, $xunit.Passed, $xunit.Failed)
    Write-Host ('Pester (pwsh {0}, .NET {1}): {2} passed, {3} failed, {4} skipped' -f $PSVersionTable.PSVersion, [Environment]::Version, $result.PassedCount, $pesterFailed, $result.SkippedCount)
    Write-Host ('.NET 8 host: {0}' -f $(if ($net8.Skipped) { 'skipped (not linux-x64)' } else { '{0} passed, {1} failed' -f $net8.Passed, $net8.Failed }))
    Write-Host ('{0} passed, {1} failed' -f $passed, $failed)
    if ($failed -gt 0 -or $xunit.Total -eq 0 -or $result.TotalCount -eq 0 -or (-not $net8.Skipped -and $net8.Passed -eq 0)) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    # Without -DumpPath the dumps go to a temp folder that is removed at the end (about 240 MB).
    $dumps = if ($DumpPath) { $DumpPath } else { Join-Path ([IO.Path]::GetTempPath()) "kudu-demo-$PID" }
    $emulator = $null
    try {
        Import-Module (Join-Path $ModuleOut 'KuduDiagnostics.psd1') -Force
        if ($SiteName -or $ResourceId) {
            Write-Host "== Demo against the Azure app $SiteName$ResourceId"
            if ($ResourceId) { New-KuduSession -ResourceId $ResourceId -UseAzureIdentity | Out-Null }
            elseif ($UseAzureIdentity) { New-KuduSession -Name $SiteName -UseAzureIdentity | Out-Null }
            else {
                if (-not $Credential) { $Credential = Get-Credential -Message "Publishing credentials of $SiteName" }
                New-KuduSession -Name $SiteName -Credential $Credential | Out-Null
            }
        }
        else {
            Write-Host '== Demo against the bundled Kudu emulator (pass -SiteName or -ResourceId for a real app)'
            $emulator = Start-KuduEmulator -EmulatorDll $EmulatorDll -Scenario (Join-Path $Root 'tests/KuduEmulator/scenarios/demo.json')
            $site = $emulator.Sites[0]
            $secret = ConvertTo-SecureString $site.password -AsPlainText -Force
            $cred = [pscredential]::new($site.userName, $secret)
            Write-Host "   emulator at $($site.scmUrl) for site '$($site.name)' with $($site.instances.Count) instance(s)"
            New-KuduSession -ScmUri $site.scmUrl -Name $site.name -Credential $cred | Format-Table | Out-Host
        }

        $instances = if ($emulator) { @($emulator.Sites[0].instances) } else { $null }
        Write-Host '== Get-KuduProcess (every instance)'
        $processes = if ($instances) { Get-KuduProcess -Instance $instances } elseif ($ResourceId) { Get-KuduProcess -AllInstances } else { Get-KuduProcess }
        $processes | Format-Table | Out-Host

        Write-Host '== ... | Where Name -eq w3wp | Get-KuduProcessDetail'
        $details = $processes | Where-Object Name -eq w3wp | Get-KuduProcessDetail
        $details | Format-Table | Out-Host

        Write-Host "== ... | Where { -not `$_.IsScmSite } | Save-KuduProcessDump -Path $dumps"
        $results = $details | Where-Object { -not $_.IsScmSite } | Save-KuduProcessDump -Path $dumps -Confirm:$false
        $results | Format-Table | Out-Host
        Write-Host "   $(@($results).Count) dump(s) in $dumps"

        if ($emulator) {
            # The unattended path: what a runbook with a managed identity runs when an alert fires. The emulator
            # also speaks Resource Manager and the App Service managed-identity protocol.
            $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
            $env:IDENTITY_HEADER = $emulator.identityHeader
            Write-Host "== Invoke-FunctionAppDump -ResourceId <site> -UseAzureIdentity -AllInstances -DumpType Heap -Path $dumps"
            $unattended = Invoke-FunctionAppDump -ResourceId $emulator.Sites[0].resourceId -UseAzureIdentity -AllInstances `
                -ResourceManagerUrl $emulator.armUrl -DumpType Heap -Path $dumps -Confirm:$false -WarningAction SilentlyContinue
            $unattended | Format-Table | Out-Host
            Write-Host "   $(@($unattended).Count) heap dump(s), the SCM site's worker left out on every instance"
        }
    }
    finally {
        Get-KuduSession -ErrorAction Ignore | Remove-KuduSession -Confirm:$false -ErrorAction Ignore
        if ($emulator) {
            Stop-KuduEmulator $emulator
            Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
        }
        if (-not $DumpPath -and (Test-Path $dumps)) {
            Remove-Item -Recurse -Force $dumps
            Write-Host "   removed the demo's dumps ($dumps); keep them with -DumpPath <folder>"
        }
    }
}

function Invoke-Clean {
    Remove-Item -Recurse -Force $Out -ErrorAction Ignore
    Invoke-Native dotnet @('clean', (Join-Path $Root 'KuduDiagnostics.sln'), '-c', $Configuration, '--nologo', '-v', 'q')
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Playground' {
            Invoke-Build
            Start-KuduPlayground -ModuleManifest (Join-Path $ModuleOut 'KuduDiagnostics.psd1') -EmulatorDll $EmulatorDll `
                -Scenario (Join-Path $Root 'tests/KuduEmulator/scenarios/demo.json') -DumpPath $DumpPath -Command $Command
        }
        'Bench' { & (Join-Path $Root 'tests/Bench/Invoke-Benchmark.ps1') -Root $Root -Configuration $Configuration -BuildAction { Invoke-Build } }
        'Package' { Invoke-Build; & (Join-Path $Root 'tests/Tools/New-ModulePackage.ps1') -Root $Root -ModulePath $ModuleOut }
        'Clean' { Invoke-Clean }
    }
}
