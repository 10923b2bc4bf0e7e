# KuduDiagnostics against a Linux app: a Heap dump of a real .NET process through KuduLite + dotnet-monitor.
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $Folder, $Manifest)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = Save-KuduProcessDump -Session $session -Instance $Instance -Id $ProcessId -Name dotnet -DumpType Heap -Path $Folder -Confirm:$false
$seconds = $clock.Elapsed.TotalSeconds
if (-not $result.SignatureValid -or (Get-Item $result.Path).Length -ne $result.Length) { throw "Save-KuduProcessDump wrote a broken core: $($result.Path)" }
Remove-Item $result.Path
$process = [Diagnostics.Process]::GetCurrentProcess()
@{ seconds = $seconds; peakWorkingSet = $process.PeakWorkingSet64; bytes = $result.Length; serverWrite = $result.ServerWriteTime.TotalSeconds } | ConvertTo-Json -Compress
