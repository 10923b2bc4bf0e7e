# One timed Save-KuduProcessDump, raw or -Compress, in its own pwsh: prints { seconds, cpuSeconds, length, wireBytes, peakWorkingSet }.
param([string] $Manifest, [string] $ScmUrl, [string] $UserName, [string] $Password, [string] $Folder, [string] $Compress = 'False')
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$worker = Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1
$me = [Diagnostics.Process]::GetCurrentProcess()
$cpu = $me.TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = $worker | Save-KuduProcessDump -Path $Folder -Compress:([bool]::Parse($Compress)) -Confirm:$false
$seconds = $clock.Elapsed.TotalSeconds
$me.Refresh()
$used = ($me.TotalProcessorTime - $cpu).TotalSeconds
Remove-Item -LiteralPath $Folder -Recurse -Force
[ordered]@{ seconds = $seconds; cpuSeconds = $used; length = $result.Length; wireBytes = $result.WireBytes; peakWorkingSet = $me.PeakWorkingSet64 } | ConvertTo-Json -Compress
