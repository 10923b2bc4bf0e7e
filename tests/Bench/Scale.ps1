<#
.SYNOPSIS
    Issue 14's benchmark: a 20-instance site (10 app workers and the SCM worker on each) and a fast server, each
    case against its floor measured or known in the same run.
.DESCRIPTION
    Details: Get-KuduProcess -Instance <20> | Where Name -eq w3wp | Get-KuduProcessDetail, 300 ms per detail,
             against a sequential Invoke-RestMethod loop (target >= 20 x).
    Dumps:   Invoke-FunctionAppDump -Instance <20>, 300 ms per detail, 50 ms for Kudu to write each dump; Kudu writes
             one dump of a site at a time, so 200 x 50 ms is the floor (target within 1.3 x).
    Stream:  a pre-made 2 GiB file served by the Kestrel emulator into tmpfs, Save-KuduProcessDump against a bare
             HttpClient-to-FileStream copy (4 MiB buffer, same final flush), alternating (target >= 0.8 x).
#>
param(
    [Parameter(Mandatory)] [string] $Root,
    [int] $Repeat = 3,
    [ValidateSet('Details', 'Dumps', 'Stream')] [string[]] $Case = @('Details', 'Dumps', 'Stream'),
    # Another build of the module (an earlier commit's, for before-and-after figures).
    [string] $Manifest = (Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'),
    # Stream: an earlier build run alternately with -Manifest in the same run, for "after / before" figures.
    [string] $BaselineManifest
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
$manifest = $Manifest
$scripts = Join-Path $PSScriptRoot 'Scripts'
$scratch = if ($IsLinux -and (Test-Path /dev/shm)) { '/dev/shm' } else { [IO.Path]::GetTempPath() }

function Invoke-Script([string] $Script, [hashtable] $Arguments) {
    $argList = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $scripts $Script))
    foreach ($k in $Arguments.Keys) { $argList += "-$k"; $argList += [string] $Arguments[$k] }
    $output = Invoke-Pwsh @argList 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Script failed: $($output -join "`n")" }
    $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
}

function Get-Median([double[]] $Values) { ($Values | Sort-Object)[[int][Math]::Floor(($Values.Count - 1) / 2)] }

$site20 = @{ name = 'bench'; instanceCount = 20; appWorkers = 10; extraProcesses = @()
    faults = @(@{ route = 'detail'; action = 'delay'; delayMs = 300 }); dump = @{ sizes = @{ default = 65536 }; writeDelayMs = 50 } }

if ($Case -contains 'Details' -or $Case -contains 'Dumps') {
    $emulator = Start-KuduEmulator -Scenario @{ sites = @($site20) }
    try {
        $site = $emulator.Sites[0]
        $common = @{ Manifest = $manifest; ScmUrl = $site.scmUrl; UserName = $site.userName; Password = $site.password; Instances = ($site.instances -join ',') }
        if ($Case -contains 'Details') {
            $r = Invoke-Script 'Details.ps1' ($common + @{ Repeat = $Repeat; Expected = 220 })
            $stats = Get-KuduEmulatorStats $emulator 'bench'
            $parallel = Get-Median $r.parallel
            Write-Host ''
            Write-Host "== Details: 20 instances x 11 w3wp, 300 ms per detail (module: median of $Repeat; loop: one run)"
            Write-Host ("Get-KuduProcess -Instance <20> | Where Name -eq w3wp | Get-KuduProcessDetail: {0:N2} s (runs: {1})" -f $parallel, (($r.parallel | ForEach-Object { '{0:N2}' -f $_ }) -join ', '))
            Write-Host ("Sequential Invoke-RestMethod loop:                                           {0:N2} s" -f $r.sequential)
            Write-Host ("Most requests at once: {0} on the site, {1} on one instance, {2} instances busy at once" -f $stats.maxConcurrentRequests,
                (($stats.instances.PSObject.Properties.Value.maxConcurrentRequests | Measure-Object -Maximum).Maximum), $stats.maxBusyInstances)
            Write-Host ("Details speed-up: {0:N1} x the sequential loop (target >= 20 x)" -f ($r.sequential / $parallel))
        }
        if ($Case -contains 'Dumps') {
            $runs = foreach ($i in 1..$Repeat) {
                Reset-KuduEmulator $emulator
                $folder = Join-Path $scratch "kudu-bench-dumps-$PID-$i"
                try { Invoke-Script 'ScaleDumps.ps1' ($common + @{ Folder = $folder; Expected = 200 }) }
                finally { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
                $stats = Get-KuduEmulatorStats $emulator 'bench'
                if ($stats.maxConcurrentDumps -ne 1) { throw "dumps overlapped: $($stats.maxConcurrentDumps)" }
            }
            $floor = 200 * 0.050
            $seconds = Get-Median @($runs.seconds)
            Write-Host ''
            Write-Host "== Dumps: Invoke-FunctionAppDump over 20 instances, 200 app workers, 300 ms per detail, 50 ms per dump write, into tmpfs (median of $Repeat)"
            Write-Host ("Invoke-FunctionAppDump: {0:N2} s (runs: {1}); Kudu's write times add up to {2:N1} s (client-measured: {3:N1} s)" -f $seconds,
                (($runs.seconds | ForEach-Object { '{0:N2}' -f $_ }) -join ', '), $floor, (Get-Median @($runs.serverWrite)))
            Write-Host ("Dumps: {0:N2} x the sum of Kudu's write times (target <= 1.3 x)" -f ($seconds / $floor))
        }
    }
    finally { Stop-KuduEmulator $emulator }
}

if ($Case -contains 'Stream') {
    $size = 2GB
    $file = Join-Path $scratch "kudu-bench-source-$PID.dmp"
    $folder = Join-Path $scratch "kudu-bench-stream-$PID"
    # A pre-made minidump whose structure says 2 GiB (the emulator's own header), then random bytes (4 MiB
    # repeated) so nothing compresses.
    $header = [Reflection.Assembly]::LoadFrom((Get-KuduEmulatorPath)).GetType('KuduEmulator.DumpContent').GetMethod('MinidumpHeader').Invoke($null, @([long] $size))
    $block = [byte[]]::new(4MB); [Random]::new(14).NextBytes($block)
    $first = [byte[]] $block.Clone(); [Array]::Copy($header, $first, $header.Length)
    $fs = [IO.File]::Create($file)
    try { $fs.Write($first, 0, $first.Length); for ($i = 1; $i -lt $size / 4MB; $i++) { $fs.Write($block, 0, $block.Length) } }
    finally { $fs.Dispose() }
    New-Item -ItemType Directory -Path $folder -Force | Out-Null
    $emulator = Start-KuduEmulator -Scenario @{ sites = @(@{ name = 'bench'; instanceCount = 1; appWorkers = 1; extraProcesses = @(); dump = @{ file = $file; writeDelayMs = 0 } }) }
    try {
        $site = $emulator.Sites[0]
        $instance = $site.instances[0]
        $processId = (Invoke-RestMethod -Uri "$($site.scmUrl)/api/processes/-1" -Headers @{
                Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($site.userName):$($site.password)")); Cookie = "ARRAffinity=$instance" }).id
        $common = @{ ScmUrl = $site.scmUrl; UserName = $site.userName; Password = $site.password; Instance = $instance; ProcessId = $processId; DumpType = 2; Folder = $folder; ExpectedBytes = $size }
        # The emulator's first send is slow (its code and the file's pages warm up): not part of either figure.
        $null = Invoke-Script 'BareCopy.ps1' $common
        $runs = foreach ($i in 1..([Math]::Max($Repeat, 5))) {
            # Alternate so both see the same moments of a shared machine.
            $bare = Invoke-Script 'BareCopy.ps1' $common
            $save = Invoke-Script 'SaveDump.ps1' ($common + @{ Manifest = $manifest })
            $before = if ($BaselineManifest) { Invoke-Script 'SaveDump.ps1' ($common + @{ Manifest = $BaselineManifest }) }
            [pscustomobject]@{ Bare = $bare.seconds; Save = $save.seconds; SavePeak = $save.peakWorkingSet; BarePeak = $bare.peakWorkingSet; BareCpu = $bare.cpu; SaveCpu = $save.cpu
                Before = if ($before) { $before.seconds } else { $null }; BeforeCpu = if ($before) { $before.cpu } else { $null } }
        }
        $bareBest = ($runs.Bare | Measure-Object -Minimum).Minimum; $saveBest = ($runs.Save | Measure-Object -Minimum).Minimum
        $bareMedian = Get-Median @($runs.Bare); $saveMedian = Get-Median @($runs.Save)
        Write-Host ''
        Write-Host "== Stream: 2 GiB pre-made file served by the Kestrel emulator, into tmpfs ($($runs.Count) alternating runs)"
        $runs | Format-Table @{ n = 'Bare s'; e = { '{0:N2}' -f $_.Bare } }, @{ n = 'Save s'; e = { '{0:N2}' -f $_.Save } }, @{ n = 'Save/bare'; e = { '{0:N2}' -f ($_.Bare / $_.Save) } },
            @{ n = 'Bare CPU s'; e = { '{0:N2}' -f $_.BareCpu } }, @{ n = 'Save CPU s'; e = { '{0:N2}' -f $_.SaveCpu } },
            @{ n = 'Save peak WS MiB'; e = { [Math]::Round($_.SavePeak / 1MB) } }, @{ n = 'Bare peak WS MiB'; e = { [Math]::Round($_.BarePeak / 1MB) } } | Out-String | Write-Host
        Write-Host ("Best: bare {0:N2} s ({1:N0} MB/s), Save {2:N2} s ({3:N0} MB/s); median: bare {4:N2} s, Save {5:N2} s" -f $bareBest, ($size / $bareBest / 1e6), $saveBest, ($size / $saveBest / 1e6), $bareMedian, $saveMedian)
        # CPU seconds of each client process: what the copy costs, less blurred by others' load than wall time.
        Write-Host ("CPU of the client: bare {0:N2} s, Save {1:N2} s (medians)" -f (Get-Median @($runs.BareCpu)), (Get-Median @($runs.SaveCpu)))
        Write-Host ("Stream: Save-KuduProcessDump at {0:N2} x the bare copy (best of each), {1:N2} x (medians), {2:N2} x (CPU medians) (target >= 0.8 x)" -f ($bareBest / $saveBest), ($bareMedian / $saveMedian), ((Get-Median @($runs.BareCpu)) / (Get-Median @($runs.SaveCpu))))
        if ($BaselineManifest) {
            $beforeBest = ($runs.Before | Measure-Object -Minimum).Minimum
            Write-Host ("Before (baseline build): best {0:N2} s, median {1:N2} s, CPU median {2:N2} s; bare/before best {3:N2} x" -f $beforeBest, (Get-Median @($runs.Before)), (Get-Median @($runs.BeforeCpu)), ($bareBest / $beforeBest))
            Write-Host ("After / before: {0:N2} x (best), {1:N2} x (medians), {2:N2} x (CPU medians) (target >= 0.95 x)" -f ($beforeBest / $saveBest), ((Get-Median @($runs.Before)) / $saveMedian), ((Get-Median @($runs.BeforeCpu)) / (Get-Median @($runs.SaveCpu))))
        }
    }
    finally {
        Stop-KuduEmulator $emulator
        Remove-Item -Force $file -ErrorAction Ignore
        Remove-Item -Recurse -Force $folder -ErrorAction Ignore
    }
}
