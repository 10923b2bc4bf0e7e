# Baseline: curl -o, the fastest plain HTTP client here. Prints { seconds, peakWorkingSet, bytes }.
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $DumpType, $Folder, $ExpectedBytes)
$ErrorActionPreference = 'Stop'
$file = Join-Path $Folder 'curl.dmp'
$clock = [Diagnostics.Stopwatch]::StartNew()
# The password goes through a config file on stdin, not the command line.
"user = `"$($UserName):$Password`"" | curl -sS -K - -o $file -b "ARRAffinity=$Instance" "$ScmUrl/api/processes/$ProcessId/dump?dumpType=$DumpType&format=raw"
if ($LASTEXITCODE -ne 0) { throw "curl failed: $LASTEXITCODE" }
$seconds = $clock.Elapsed.TotalSeconds
$bytes = (Get-Item $file).Length
if ($bytes -ne [long]$ExpectedBytes) { throw "curl wrote $bytes bytes, expected $ExpectedBytes" }
Remove-Item $file
@{ seconds = $seconds; peakWorkingSet = 0; bytes = $bytes } | ConvertTo-Json -Compress
