# The .NET 8 leg of build.ps1 -Task Test. PowerShell 7.4, which Azure Automation runs, lives on .NET 8; neither
# it nor a .NET 8 package of Debian is served here, but the .NET 8 runtime is, on NuGet (tests/Tools/Bootstrap.csproj
# restores it). This lays it out as a DOTNET_ROOT and runs tests/Net8Host on it: the built module imported the way
# pwsh imports a binary module, driven against the Kudu emulator and Azurite. Test infrastructure only.

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'KuduTestTools.psm1') -Verbose:$false
Import-Module (Join-Path $PSScriptRoot 'LinuxTestTools.psm1') -Verbose:$false

$script:Net8Version = '8.0.34'

function New-Net8DotNetRoot {
    <#
    .SYNOPSIS
        Lays out Microsoft.NETCore.App.Runtime.linux-x64 as a DOTNET_ROOT (once; a marker file says it is whole)
        and returns the path of its muxer:
          host/fxr/<v>/libhostfxr.so                 from the package's runtimes/linux-x64/native
          shared/Microsoft.NETCore.App/<v>/          the package's lib/net8.0/* and native/* less libhostfxr.so
          dotnet                                     a copy of the SDK's muxer
    #>
    param([Parameter(Mandatory)] [string] $PackagesFolder, [Parameter(Mandatory)] [string] $Destination, [string] $Version = $script:Net8Version)
    $package = Join-Path $PackagesFolder "microsoft.netcore.app.runtime.linux-x64/$Version/runtimes/linux-x64"
    $muxer = Join-Path $Destination 'dotnet'
    $marker = Join-Path $Destination ".complete-$Version"
    if (Test-Path $marker) { return $muxer }
    if (-not (Test-Path $package)) { throw "The .NET $Version runtime package is not restored: $package (restore tests/Tools/Bootstrap.csproj)." }

    Remove-Item -Recurse -Force $Destination -ErrorAction Ignore
    $shared = Join-Path $Destination "shared/Microsoft.NETCore.App/$Version"
    $fxr = Join-Path $Destination "host/fxr/$Version"
    New-Item -ItemType Directory -Force -Path $shared, $fxr | Out-Null
    Copy-Item (Join-Path $package 'lib/net8.0/*') -Destination $shared
    Get-ChildItem (Join-Path $package 'native') -File | Where-Object Name -ne 'libhostfxr.so' | Copy-Item -Destination $shared
    Copy-Item (Join-Path $package 'native/libhostfxr.so') -Destination $fxr

    # The SDK's muxer: the one on PATH, through its symbolic link if it is one.
    $sdkMuxer = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source
    $target = (Get-Item $sdkMuxer).ResolvedTarget
    Copy-Item $(if ($target) { $target } else { $sdkMuxer }) -Destination $muxer
    Set-Content -Path $marker -Value $Version
    return $muxer
}

function Invoke-Net8Leg {
    <#
    .SYNOPSIS
        Runs tests/Net8Host on .NET 8 against a fresh Kudu emulator (three instances, Resource Manager and managed
        identity) and, when given, Azurite. Prints the host's lines; returns Passed, Failed and Skipped.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Configuration,
        [Parameter(Mandatory)] [string] $PackagesFolder,
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string] $EmulatorDll,
        $Azurite
    )
    Write-Host "== .NET $script:Net8Version host (tests/Net8Host)"
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture
    $linux = $PSVersionTable.PSEdition -eq 'Core' -and $IsLinux  # $IsLinux does not exist in Windows PowerShell 5.1
    if (-not $linux -or $arch -ne 'X64') {
        # The runtime restored is linux-x64; on Windows the workflow's powershell and pwsh jobs cover the other runtimes.
        Write-Host "   skipped: the .NET 8 runtime laid out here is linux-x64 (this is $arch, Linux: $linux)"
        return [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = $true }
    }

    $muxer = New-Net8DotNetRoot -PackagesFolder $PackagesFolder -Destination (Join-Path $Root 'out/dotnet8')
    $hostDll = Join-Path $Root "tests/Net8Host/bin/$Configuration/net8.0/Net8Host.dll"
    if (-not (Test-Path $hostDll)) { throw "tests/Net8Host is not built: $hostDll" }
    $otherAzureCore = Join-Path $PackagesFolder 'azure.core/1.44.1/lib/netstandard2.0/Azure.Core.dll'

    $scenario = @{ sites = @(@{ name = 'contoso'; instanceCount = 3; appWorkers = 1; extraProcesses = @('dotnet'); dump = @{ sizes = @{ default = 262144 } } }) }
    $emulator = Start-KuduEmulator -EmulatorDll $EmulatorDll -Scenario $scenario
    try {
        $arguments = @($hostDll, '--module', $ModulePath, '--emulator-ready', (Join-Path $emulator.WorkFolder 'ready.json'), '--azure-core', $otherAzureCore)
        if ($Azurite) {
            $container = 'net8-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
            New-TestContainer $Azurite $container
            $arguments += @('--blob-container', "$($Azurite.BlobEndpoint)/$($container)?$(New-TestContainerSas -Container $container)")
        }

        # A real Heap dump for the analysis (ClrMD on .NET 8); removed with the emulator's work folder.
        $target = Start-LinuxTarget -Widgets 777 -PayloadBytes 100
        try { $dump = Save-DotnetDump -ProcessId $target.pid -Type Heap -Path (Join-Path $emulator.WorkFolder 'net8-heap.core') }
        finally { Stop-LinuxTarget $target }
        $arguments += @('--dump', $dump.FullName, '--marker-type', $target.markerType, '--marker-count', $target.widgets)

        $lines = @(& $muxer @arguments 2>&1 | ForEach-Object { $line = "$_"; Write-Host $line; $line })
        $exitCode = $LASTEXITCODE
    }
    finally {
        Stop-KuduEmulator $emulator
    }

    $summary = $lines | Where-Object { $_ -match '^net8: (\d+) passed, (\d+) failed$' } | Select-Object -Last 1
    if (-not $summary) {
        Write-Host "   the host ended (exit code $exitCode) without its summary line"
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = $false }
    }
    $null = $summary -match '^net8: (\d+) passed, (\d+) failed$'
    $failed = [int] $Matches[2]
    # A non-zero exit with no failed check (a crash after the summary) still fails the leg.
    if ($exitCode -ne 0 -and $failed -eq 0) { $failed = 1 }
    [pscustomobject]@{ Passed = [int] $Matches[1]; Failed = $failed; Skipped = $false }
}

Export-ModuleMember -Function New-Net8DotNetRoot, Invoke-Net8Leg
