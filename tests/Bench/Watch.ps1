<#
.SYNOPSIS
    Issue 11's benchmark: Watch-KuduProcess on 8 instances x 3 watched processes at a 1 s interval, every Kudu call
    delayed 100 ms by the emulator, piped into Save-KuduProcessDump. Reports the requests per minute the watch
    costs the site, and the lag from each scripted crossing (plus -For) to the dump request reaching Kudu.
.DESCRIPTION
    Each watched w3wp's private memory steps from 500 MB to 2 GB at its own scripted time, 1.37 s apart and on a
    different instance each time (so dumps never queue behind each other); the watch fires each once (-Cooldown
    1 h, -Count 24). Lag = the emulator's dump record start - (scenario start + crossing + -For). Target: at most
    one interval plus two round trips (1 s + 2 x 100 ms).
#>
param([Parameter(Mandatory)] [string] $Root, [int] $Repeat = 3, [int] $LatencyMs = 100, [int] $ForSeconds = 2)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
$instanceCount = 8; $perInstance = 3; $first = 6.0; $step = 1.37
$crossing = @{}
$instances = foreach ($i in 0..($instanceCount - 1)) {
    $processes = @(@{ id = 1000 + $i * 40; name = 'w3wp'; isScmSite = $true })
    foreach ($j in 0..($perInstance - 1)) {
        $id = 1000 + $i * 40 + 4 * ($j + 1)
        $at = $first + $step * ($j * $instanceCount + $i)
        $crossing[$id] = $at
        $processes += @{ id = $id; name = 'w3wp'; timeline = @{ privateMemory = @(@(0, 500MB), @($at, 500MB), @(($at + 0.0001), 2GB)) } }
    }
    @{ processes = $processes }
}
$scenario = @{ sites = @(@{ name = 'bench'; latencyMs = $LatencyMs; dump = @{ sizes = @{ default = 65536 } }; instances = @($instances) }) }
$emulator = Start-KuduEmulator -Scenario $scenario
$folder = Join-Path $Root "out/bench-watch-$PID"
try {
    $site = $emulator.Sites[0]
    $lags = [System.Collections.Generic.List[double]]::new()
    $rates = foreach ($run in 1..$Repeat) {
        Remove-Item -Recurse -Force $folder -ErrorAction Ignore
        New-Item -ItemType Directory -Path $folder | Out-Null
        Reset-KuduEmulator $emulator
        $clock = Invoke-RestMethod -Uri "$($emulator.url)/_emulator/clock"
        $t0 = ([datetime] $clock.startedUtc).ToUniversalTime()
        $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Scripts/Watch.ps1'),
            '-Manifest', (Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'), '-ScmUrl', $site.scmUrl,
            '-UserName', $site.userName, '-Password', $site.password, '-Instances', ($site.instances -join ','), '-Folder', $folder,
            '-Count', $crossing.Count, '-ForSeconds', $ForSeconds, '-TimeoutSeconds', 120)
        $output = Invoke-Pwsh @arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "Watch failed: $($output -join "`n")" }
        $r = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
        if ($r.dumps -ne $crossing.Count) { throw "expected $($crossing.Count) dumps, got $($r.dumps)" }
        $stats = Get-KuduEmulatorStats $emulator 'bench'
        foreach ($d in $stats.dumps) {
            $due = $t0.AddSeconds($crossing[[int] $d.pid] + $ForSeconds)
            $lags.Add((([datetime] $d.startedUtc).ToUniversalTime() - $due).TotalSeconds)
        }
        $minutes = (([datetime] $r.endedUtc) - ([datetime] $r.startedUtc)).TotalMinutes
        [pscustomobject]@{ Polling = ($stats.requests.list + $stats.requests.detail) / $minutes; Lists = $stats.requests.list / $minutes; Details = $stats.requests.detail / $minutes; MaxDumps = $stats.maxConcurrentDumps }
    }
    $sorted = @($lags | Sort-Object)
    $median = $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
    $target = 1 + 2 * $LatencyMs / 1000
    Write-Host ''
    Write-Host "== Watch: $instanceCount instances x $perInstance watched w3wp, 1 s interval, -For $ForSeconds s, $LatencyMs ms per Kudu call ($Repeat runs, $($sorted.Count) firings)"
    Write-Host ("Polling: {0:N0} requests/min ({1:N0} lists + {2:N0} details; the promise: {3} + {4} = {5}/min at most)" -f `
        (($rates | Measure-Object Polling -Average).Average), (($rates | Measure-Object Lists -Average).Average), (($rates | Measure-Object Details -Average).Average), `
        ($instanceCount * 60), ($instanceCount * $perInstance * 60), ($instanceCount * (1 + $perInstance) * 60))
    Write-Host ("Lag from crossing + -For to the dump request at Kudu: median {0:N2} s, worst {1:N2} s, best {2:N2} s (target <= {3:N1} s: one interval + two round trips)" -f $median, $sorted[-1], $sorted[0], $target)
    Write-Host ("Most dumps in flight at once on the site: {0}" -f (($rates | Measure-Object MaxDumps -Maximum).Maximum))
}
finally {
    Stop-KuduEmulator $emulator
    Remove-Item -Recurse -Force $folder -ErrorAction Ignore
}
