# Helpers for the emulator's Linux face (KuduLite + dotnet-monitor): the real .NET target process it lists and
# dumps, and the control route that gives target pids to instances. Test infrastructure only.

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'KuduTestTools.psm1') -Verbose:$false  # Start-ReadyProcess, Stop-ReadyProcess

function Get-LinuxTargetPath {
    if ($env:KUDU_TEST_LINUX_TARGET) { return $env:KUDU_TEST_LINUX_TARGET }
    return (Join-Path $PSScriptRoot '../LinuxTarget/bin/Release/net10.0/LinuxTarget.dll')
}

function Start-LinuxTarget {
    <#
    .SYNOPSIS
        Starts tests/LinuxTarget as "dotnet LinuxTarget.dll" (so dotnet-monitor names it "dotnet", as on App
        Service) and returns its ready line (pid, markerType, widgets, payloadBytes, ...) plus the process.
        It exits by itself when this pwsh dies; stop it with Stop-LinuxTarget.
    #>
    param(
        [int] $Widgets = 321,
        [int] $PayloadBytes = 1000,
        [switch] $Exception,
        [string] $TargetDll = (Get-LinuxTargetPath),
        [int] $TimeoutSeconds = 30,
        # The dotnet muxer to run it with: another runtime folder's, to dump a process whose runtime is then gone.
        [string] $DotNet = 'dotnet'
    )
    if (-not (Test-Path $TargetDll)) { throw "The Linux target app is not built: $TargetDll" }
    $work = New-TestWorkFolder 'kudu-target-'
    $arguments = @($TargetDll, '--widgets', $Widgets, '--payload-bytes', $PayloadBytes, '--ready-file', (Join-Path $work 'ready.json'), '--parent-pid', $PID)
    if ($Exception) { $arguments += '--exception' }
    Start-ReadyProcess -What 'The Linux target' -FilePath $DotNet -Arguments $arguments -WorkFolder $work -TimeoutSeconds $TimeoutSeconds
}

function Stop-LinuxTarget {
    param([Parameter(Mandatory, ValueFromPipeline)] $Target)
    process { Stop-ReadyProcess $Target }
}

function Set-KuduEmulatorLinuxTarget {
    <#
    .SYNOPSIS
        Gives each instance of a Linux site the pids its dotnet-monitor sees: @{ '<instance id>' = @(pid, ...) }.
        Replaces the whole map (an instance left out sees none); Reset-KuduEmulator goes back to the scenario's.
    #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Site, [Parameter(Mandatory)] [hashtable] $Targets)
    $map = @{}
    foreach ($key in $Targets.Keys) { $map[$key] = @($Targets[$key] | ForEach-Object { [int] $_ }) }
    $body = ConvertTo-Json -InputObject $map -Depth 5
    Invoke-RestMethod -Method Put -Uri "$($Emulator.url)/_emulator/sites/$Site/linux-targets" -Body $body -ContentType 'application/json'
}

function Invoke-DotnetDumpAnalyze {
    <#
    .SYNOPSIS
        Runs the repository's dotnet-dump (local tool) on a core file with the given SOS commands; returns the
        output lines. dotnet tool restore must have run (build.ps1 -Task Test's caller does it).
    #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string[]] $Command)
    $arguments = @('dotnet-dump', 'analyze', $Path)
    foreach ($c in $Command) { $arguments += @('-c', $c) }
    $arguments += @('-c', 'exit')
    Push-Location (Join-Path $PSScriptRoot '../..') # dotnet finds local tools only at or below the manifest
    try { $output = & dotnet @arguments 2>&1 | ForEach-Object { "$_" } }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw "dotnet-dump analyze failed ($LASTEXITCODE): $($output -join "`n")" }
    return $output
}

function Save-DotnetDump {
    <#
    .SYNOPSIS
        Dumps a running .NET process with the repository's dotnet-dump (local tool): a real ELF core, Mini or Heap.
    #>
    param([Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [ValidateSet('Mini', 'Heap', 'Triage', 'Full')] [string] $Type, [Parameter(Mandatory)] [string] $Path)
    Push-Location (Join-Path $PSScriptRoot '../..') # dotnet finds local tools only at or below the manifest
    try { $output = & dotnet dotnet-dump collect -p $ProcessId --type $Type -o $Path 2>&1 | ForEach-Object { "$_" } }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $Path)) { throw "dotnet-dump collect failed ($LASTEXITCODE): $($output -join "`n")" }
    Get-Item $Path
}

Export-ModuleMember -Function *
