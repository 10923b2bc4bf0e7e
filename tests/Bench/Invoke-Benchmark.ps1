<#
.SYNOPSIS
    Benchmarks KuduDiagnostics against baselines measured in the same run, and prints figures and ratios.
.DESCRIPTION
    Machines here are shared and noisy, so nothing is compared with a fixed number: every figure is set
    beside a baseline taken minutes apart on the same machine (curl, Invoke-WebRequest, a sequential loop).
    Each measurement runs in its own process so peak working sets are per tool; the median of -Repeat runs
    is reported. Run through build.ps1 -Task Bench.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Root,
    [string] $Configuration = 'Release',
    [scriptblock] $BuildAction,
    [ValidateSet('Disk', 'Blob', 'Lookup', 'Linux', 'Analysis', 'Watch', 'Scale', 'Compress')]
    [string[]] $Suite = @('Disk', 'Blob', 'Lookup', 'Linux', 'Analysis', 'Watch', 'Scale', 'Compress'),
    [int] $Repeat = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if ($BuildAction) { & $BuildAction }
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
$manifest = Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'
$benchScripts = Join-Path $PSScriptRoot 'Scripts'

function Invoke-Child {
    <# Runs a benchmark script in a fresh pwsh; it prints one JSON line: { seconds, peakWorkingSet, ... }. #>
    param([string] $Script, [hashtable] $Arguments)
    $argList = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $benchScripts $Script))
    foreach ($k in $Arguments.Keys) { $argList += "-$k"; $argList += [string] $Arguments[$k] }
    $output = Invoke-Pwsh @argList 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Script failed: $($output -join "`n")" }
    $json = $output | Where-Object { $_ -is [string] -and $_.StartsWith('{') } | Select-Object -Last 1
    if (-not $json) { throw "$Script printed no result: $($output -join "`n")" }
    $json | ConvertFrom-Json
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
}

function Measure-Repeated {
    param([int] $Times, [scriptblock] $Run)
    $runs = @(for ($i = 0; $i -lt $Times; $i++) { & $Run })
    [pscustomobject]@{
        Seconds        = Get-Median ($runs | ForEach-Object { [double] $_.seconds })
        PeakWorkingSet = ($runs | Measure-Object -Property peakWorkingSet -Maximum).Maximum
        Runs           = $runs
    }
}

function Format-MBps([long] $Bytes, [double] $Seconds) { [Math]::Round($Bytes / $Seconds / 1e6, 0) }

function Invoke-DiskSuite {
    $sizes = [ordered]@{ '256 MiB' = 256MB; '2 GiB' = 2GB }
    $scenario = @{ sites = @(@{ name = 'bench'; instanceCount = 1; appWorkers = 1; extraProcesses = @()
                dump = @{ sizes = @{ '1' = $sizes['256 MiB']; '2' = $sizes['2 GiB'] }; writeDelayMs = 0 } }) }
    $emulator = Start-KuduEmulator -Scenario $scenario
    try {
        $site = $emulator.Sites[0]
        $instance = $site.instances[0]
        $auth = @{ ScmUrl = $site.scmUrl; UserName = $site.userName; Password = $site.password; Instance = $instance }
        $pid0 = (Invoke-RestMethod -Uri "$($site.scmUrl)/api/processes/-1" -Headers @{
                Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($site.userName):$($site.password)"))
                Cookie        = "ARRAffinity=$instance" }).id

        $targets = [ordered]@{}
        if ($IsLinux -and (Test-Path /dev/shm)) { $targets['tmpfs'] = Join-Path '/dev/shm' "kudu-bench-$PID" }
        $targets['disk'] = Join-Path $Root "out/bench-$PID"
        $haveCurl = [bool](Get-Command curl -CommandType Application -ErrorAction Ignore)
        $rows = [System.Collections.Generic.List[object]]::new()
        $memory = [ordered]@{}

        foreach ($size in $sizes.Keys) {
            $bytes = $sizes[$size]
            $dumpType = if ($bytes -eq $sizes['256 MiB']) { 1 } else { 2 }
            foreach ($target in $targets.Keys) {
                $folder = $targets[$target]
                Remove-Item -Recurse -Force $folder -ErrorAction Ignore
                New-Item -ItemType Directory -Path $folder | Out-Null
                try {
                    $common = $auth + @{ ProcessId = $pid0; DumpType = $dumpType; Folder = $folder; ExpectedBytes = $bytes }
                    $curl = if ($haveCurl) { Measure-Repeated $Repeat { Invoke-Child 'Curl.ps1' $common } }
                    $iwr = Measure-Repeated $Repeat { Invoke-Child 'InvokeWebRequest.ps1' $common }
                    $save = Measure-Repeated $Repeat { Invoke-Child 'SaveDump.ps1' ($common + @{ Manifest = $manifest }) }
                    $row = [ordered]@{
                        Size          = $size
                        Target        = $target
                        'curl MB/s'   = if ($curl) { Format-MBps $bytes $curl.Seconds } else { 'n/a' }
                        'IWR MB/s'    = Format-MBps $bytes $iwr.Seconds
                        'Save MB/s'   = Format-MBps $bytes $save.Seconds
                        'Save/curl'   = if ($curl) { [Math]::Round($curl.Seconds / $save.Seconds, 2) } else { 'n/a' }
                        'Save/IWR'    = [Math]::Round($iwr.Seconds / $save.Seconds, 2)
                        'Save peak WS MiB' = [Math]::Round($save.PeakWorkingSet / 1MB, 0)
                        'IWR peak WS MiB'  = [Math]::Round($iwr.PeakWorkingSet / 1MB, 0)
                    }
                    $rows.Add([pscustomobject]$row)
                    if ($target -eq $targets.Keys[0]) { $memory[$size] = $save.PeakWorkingSet }
                }
                finally { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
            }
        }

        Write-Host ''
        Write-Host "== Dump to disk: throughput (median of $Repeat runs; ratios > 1 mean Save-KuduProcessDump is faster)"
        $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
        $growth = ($memory['2 GiB'] - $memory['256 MiB']) / 1MB
        Write-Host ("Peak working set of the pwsh running Save-KuduProcessDump: {0:N0} MiB for 256 MiB, {1:N0} MiB for 2 GiB: grows {2:N1} MiB (target < 64 MiB)" -f ($memory['256 MiB'] / 1MB), ($memory['2 GiB'] / 1MB), $growth)
        $rows
    }
    finally { Stop-KuduEmulator $emulator }
}

foreach ($s in $Suite) {
    switch ($s) {
        'Disk' { $null = Invoke-DiskSuite }
        'Compress' { & (Join-Path $PSScriptRoot 'Compress.ps1') -Root $Root -Repeat $Repeat }
        'Blob' { if (Test-Path (Join-Path $PSScriptRoot 'Blob.ps1')) { & (Join-Path $PSScriptRoot 'Blob.ps1') -Root $Root -Repeat $Repeat } }
        'Lookup' { if (Test-Path (Join-Path $PSScriptRoot 'Lookup.ps1')) { & (Join-Path $PSScriptRoot 'Lookup.ps1') -Root $Root -Repeat $Repeat } }
        'Linux' { & (Join-Path $PSScriptRoot 'Linux.ps1') -Root $Root -Repeat $Repeat }
        'Analysis' { & (Join-Path $PSScriptRoot 'Analysis.ps1') -Root $Root -Repeat $Repeat }
        'Watch' { & (Join-Path $PSScriptRoot 'Watch.ps1') -Root $Root -Repeat $Repeat }
        'Scale' { & (Join-Path $PSScriptRoot 'Scale.ps1') -Root $Root -Repeat $Repeat }
    }
}
