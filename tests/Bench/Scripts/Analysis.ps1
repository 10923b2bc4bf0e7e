# Get-KuduDumpAnalysis in a fresh pwsh session: the first call (ClrMD loaded and JIT-compiled) and a second one.
# Prints one JSON line: { seconds, warmSeconds, baseWorkingSet, peakWorkingSet, objects, marker }.
param($Manifest, $Dump, $MarkerType)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$self = [Diagnostics.Process]::GetCurrentProcess()
[GC]::Collect()
$self.Refresh()
$base = $self.WorkingSet64
$clock = [Diagnostics.Stopwatch]::StartNew()
$a = Get-KuduDumpAnalysis -Path $Dump -Top 100000
$seconds = $clock.Elapsed.TotalSeconds
$clock.Restart()
$null = Get-KuduDumpAnalysis -Path $Dump -Top 100000
$warm = $clock.Elapsed.TotalSeconds
$self.Refresh()
$marker = ($a.TopTypes | Where-Object Type -eq $MarkerType).Count
@{ seconds = $seconds; warmSeconds = $warm; baseWorkingSet = $base; peakWorkingSet = $self.PeakWorkingSet64; objects = $a.ObjectCount; marker = $marker } | ConvertTo-Json -Compress
