<#
.SYNOPSIS
    Linux apps: a Heap dump of a real .NET process through the emulator's KuduLite + dotnet-monitor face, against
    `dotnet-dump collect --type Heap` run locally on the same process in the same run: the same dump writer with no
    HTTP, the floor. Prints the ratio and the peak working sets. Run through build.ps1 -Task Bench.
#>
param([Parameter(Mandatory)] [string] $Root, [int] $Repeat = 3)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
Import-Module (Join-Path $Root 'tests/Tools/LinuxTestTools.psm1') -Force
$manifest = Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'
$folder = if (Test-Path /dev/shm) { Join-Path /dev/shm "kudu-bench-linux-$PID" } else { Join-Path $Root "out/bench-linux-$PID" }
New-Item -ItemType Directory -Force -Path $folder | Out-Null

# About 100 MB of managed heap, so the dump is big enough for the transfer to count.
$target = Start-LinuxTarget -Widgets 2000 -PayloadBytes 50000
$emulator = Start-KuduEmulator -Scenario @{ sites = @(@{ name = 'penguin'; kind = 'app,linux'; sku = 'PremiumV3'; dotnetMonitor = 'enabled'
            instances = @(@{ linuxTargets = @($target.pid) }) }) }
try {
    $site = $emulator.Sites[0]
    $save = @(); $collect = @()
    for ($i = 0; $i -lt $Repeat; $i++) {
        $childArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Scripts/SaveLinuxDump.ps1'),
            '-ScmUrl', $site.scmUrl, '-UserName', $site.userName, '-Password', $site.password, '-Instance', $site.instances[0],
            '-ProcessId', $target.pid, '-Folder', $folder, '-Manifest', $manifest)
        $out = Invoke-Pwsh @childArgs 2>&1
        $save += ($out | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json

        # The floor: the runtime's dump writer, asked locally by dotnet-dump, no HTTP. /usr/bin/time gives its peak RSS.
        $file = Join-Path $folder "collect-$i.core"
        Push-Location $Root
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $timing = & /usr/bin/time -f 'maxrss=%M' dotnet dotnet-dump collect -p $target.pid --type Heap -o $file 2>&1
            $seconds = $clock.Elapsed.TotalSeconds
        }
        finally { Pop-Location }
        $rss = [long](("$timing" | Select-String 'maxrss=(\d+)').Matches[0].Groups[1].Value) * 1KB
        $collect += [pscustomobject]@{ seconds = $seconds; peakWorkingSet = $rss; bytes = (Get-Item $file).Length }
        Remove-Item $file
    }

    $median = { param($v) $s = @($v | Sort-Object); $s[[int][Math]::Floor(($s.Count - 1) / 2)] }
    $saveSeconds = & $median ($save | ForEach-Object { [double] $_.seconds })
    $collectSeconds = & $median ($collect | ForEach-Object { [double] $_.seconds })
    Write-Host ''
    Write-Host "== Linux: Heap dump of a real .NET process (median of $Repeat)"
    Write-Host ("Save-KuduProcessDump through KuduLite + dotnet-monitor: {0:N2} s for {1:N0} MB (Kudu-side write {2:N2} s), peak WS {3:N0} MiB" -f $saveSeconds, ($save[0].bytes / 1e6), (& $median ($save | ForEach-Object { [double] $_.serverWrite })), (($save | Measure-Object peakWorkingSet -Maximum).Maximum / 1MB))
    Write-Host ("dotnet-dump collect --type Heap, locally:             {0:N2} s for {1:N0} MB, peak RSS {2:N0} MiB" -f $collectSeconds, ($collect[0].bytes / 1e6), (($collect | Measure-Object peakWorkingSet -Maximum).Maximum / 1MB))
    Write-Host ("Ratio Save / dotnet-dump collect: {0:N2} x the time (1.0 = no cost for HTTP and the .partial/verify/rename)" -f ($saveSeconds / $collectSeconds))
}
finally {
    Stop-KuduEmulator $emulator
    Stop-LinuxTarget $target
    Remove-Item -Recurse -Force $folder -ErrorAction Ignore
}
