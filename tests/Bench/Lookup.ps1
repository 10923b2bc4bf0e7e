<#
.SYNOPSIS
    Issue 5's benchmark: list and check every process of 8 instances x 3 processes with 300 ms per Kudu call,
    KuduDiagnostics with its default throttle against a sequential loop (what the well-known sample did).
#>
param([Parameter(Mandatory)] [string] $Root, [int] $Repeat = 3, [int] $LatencyMs = 300)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
$emulator = Start-KuduEmulator -Scenario @{ sites = @(@{ name = 'bench'; instanceCount = 8; appWorkers = 2; extraProcesses = @(); latencyMs = $LatencyMs }) }
try {
    $site = $emulator.Sites[0]
    # 8 instances x (2 app workers + the SCM worker): 24 w3wp.
    $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Scripts/Details.ps1'),
        '-Manifest', (Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'), '-ScmUrl', $site.scmUrl,
        '-UserName', $site.userName, '-Password', $site.password, '-Instances', ($site.instances -join ','), '-Repeat', $Repeat, '-Expected', 24)
    $output = Invoke-Pwsh @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Lookup failed: $($output -join "`n")" }
    $r = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
    $parallel = @($r.parallel | Sort-Object)[[int][Math]::Floor(($r.parallel.Count - 1) / 2)]
    Write-Host ''
    Write-Host "== List and check every process: 8 instances x 3 processes, $LatencyMs ms per Kudu call (module: median of $Repeat; loop: one run)"
    Write-Host ("KuduDiagnostics (Get-KuduProcess -Instance ... | Get-KuduProcessDetail, default throttle): {0:N2} s for 24 processes" -f $parallel)
    Write-Host ("Sequential loop (Invoke-RestMethod list, then each detail):                              {0:N2} s" -f $r.sequential)
    Write-Host ("Speed-up: {0:N1} x (target >= 5 x)" -f ($r.sequential / $parallel))
}
finally { Stop-KuduEmulator $emulator }
