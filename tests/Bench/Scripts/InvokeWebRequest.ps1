# Baseline: Invoke-WebRequest -OutFile, what a PowerShell user would write by hand.
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $DumpType, $Folder, $ExpectedBytes)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$file = Join-Path $Folder 'iwr.dmp'
$headers = @{
    Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($UserName):$Password"))
    Cookie        = "ARRAffinity=$Instance"
}
$clock = [Diagnostics.Stopwatch]::StartNew()
Invoke-WebRequest -Uri "$ScmUrl/api/processes/$ProcessId/dump?dumpType=$DumpType&format=raw" -Headers $headers -OutFile $file
$seconds = $clock.Elapsed.TotalSeconds
$bytes = (Get-Item $file).Length
if ($bytes -ne [long]$ExpectedBytes) { throw "Invoke-WebRequest wrote $bytes bytes, expected $ExpectedBytes" }
Remove-Item $file
$process = [Diagnostics.Process]::GetCurrentProcess()
@{ seconds = $seconds; peakWorkingSet = $process.PeakWorkingSet64; bytes = $bytes } | ConvertTo-Json -Compress
