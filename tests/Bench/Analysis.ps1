<#
.SYNOPSIS
    Issue 18's benchmark: the Heap dump of a real .NET process (tests/LinuxTarget) analysed by Get-KuduDumpAnalysis
    in a pwsh session against `dotnet-dump analyze FILE -c "dumpheap -stat" -c exit` on the same file, same run.
.DESCRIPTION
    Each measurement runs in its own process, so peak memory is per tool. Get-KuduDumpAnalysis is timed inside its
    session (first call: ClrMD loaded and compiled; second call), dotnet-dump from its start to its exit (a
    tool's start is part of using it). Peak resident memory of dotnet-dump comes from GNU time's %M when
    /usr/bin/time is there.
#>
param([Parameter(Mandatory)] [string] $Root, [int] $Repeat = 3, [int] $Widgets = 100000, [int] $PayloadBytes = 1024)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
Import-Module (Join-Path $Root 'tests/Tools/LinuxTestTools.psm1') -Force
if (-not $env:KUDU_TEST_LINUX_TARGET) { $env:KUDU_TEST_LINUX_TARGET = Join-Path $Root 'tests/LinuxTarget/bin/Release/net10.0/LinuxTarget.dll' }
if (-not (Test-Path $env:KUDU_TEST_LINUX_TARGET)) {
    Invoke-Expression "dotnet build `"$(Join-Path $Root 'tests/LinuxTarget/LinuxTarget.csproj')`" -c Release --nologo -v q" | Out-Null
}

$work = Join-Path $Root "out/bench-analysis-$PID"
New-Item -ItemType Directory -Force -Path $work | Out-Null
try {
    $target = Start-LinuxTarget -Widgets $Widgets -PayloadBytes $PayloadBytes
    try { $dump = Save-DotnetDump -ProcessId $target.pid -Type Heap -Path (Join-Path $work 'bench-heap.core') }
    finally { Stop-LinuxTarget $target }

    $time = if (Test-Path /usr/bin/time) { '/usr/bin/time' }
    $ours = @(); $theirs = @()
    for ($i = 0; $i -lt $Repeat; $i++) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $output = Invoke-Pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Scripts/Analysis.ps1') `
            -Manifest (Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1') -Dump $dump.FullName -MarkerType $target.markerType 2>&1
        $process = $clock.Elapsed.TotalSeconds
        if ($LASTEXITCODE -ne 0) { throw "Get-KuduDumpAnalysis failed: $($output -join "`n")" }
        $r = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
        if ($r.marker -ne $Widgets) { throw "Get-KuduDumpAnalysis found $($r.marker) $($target.markerType), expected $Widgets" }
        $ours += $r | Add-Member -PassThru -NotePropertyName process -NotePropertyValue $process

        $rss = Join-Path $work 'rss.txt'
        Push-Location $Root # dotnet finds the local tool only at or below the manifest
        try {
            $clock.Restart()
            $lines = if ($time) { & $time -f '%M' -o $rss dotnet dotnet-dump analyze $dump.FullName -c 'dumpheap -stat' -c exit 2>&1 }
            else { & dotnet dotnet-dump analyze $dump.FullName -c 'dumpheap -stat' -c exit 2>&1 }
            $seconds = $clock.Elapsed.TotalSeconds
        }
        finally { Pop-Location }
        if ($LASTEXITCODE -ne 0 -or -not ($lines -match '^Total [\d,]+ objects')) { throw "dotnet-dump analyze failed: $($lines -join "`n")" }
        $peak = if ($time) { [long] (Get-Content $rss | Select-Object -Last 1) * 1KB } else { 0 }
        $theirs += [pscustomobject]@{ seconds = $seconds; peak = $peak; total = "$($lines -match '^Total [\d,]+ objects')" }
    }

    $median = { param($v) ($v | Sort-Object)[[int][Math]::Floor(($v.Count - 1) / 2)] }
    $first = & $median @($ours.seconds); $warm = & $median @($ours.warmSeconds); $process = & $median @($ours.process)
    $dd = & $median @($theirs.seconds)
    $ourPeak = ($ours.peakWorkingSet | Measure-Object -Maximum).Maximum
    $ourBase = & $median @($ours.baseWorkingSet)
    $ddPeak = ($theirs.peak | Measure-Object -Maximum).Maximum
    Write-Host ''
    Write-Host ("== Analysis of a {0:N0} MB Heap dump ({1:N0} objects; dotnet-dump: {2}), median of {3}" -f ($dump.Length / 1MB), $ours[0].objects, $theirs[0].total, $Repeat)
    Write-Host ("Get-KuduDumpAnalysis in a session, first call:   {0,6:N2} s   (second call {1:N2} s; whole pwsh process with Import-Module {2:N2} s)" -f $first, $warm, $process)
    Write-Host ("dotnet-dump analyze -c 'dumpheap -stat':        {0,6:N2} s" -f $dd)
    Write-Host ("Ratio: {0:N1} x faster on the first call, {1:N1} x on the second (target: faster than dotnet-dump)" -f ($dd / $first), ($dd / $warm))
    Write-Host ("Peak memory: the pwsh session {0:N0} MiB ({1:N0} MiB before the first analysis, so +{2:N0} MiB); dotnet-dump {3}" -f `
        ($ourPeak / 1MB), ($ourBase / 1MB), (($ourPeak - $ourBase) / 1MB), $(if ($ddPeak) { '{0:N0} MiB (peak RSS)' -f ($ddPeak / 1MB) } else { 'n/a (no /usr/bin/time)' }))
}
finally { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
