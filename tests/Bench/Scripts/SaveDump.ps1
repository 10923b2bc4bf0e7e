# KuduDiagnostics: Save-KuduProcessDump, as a user runs it (progress on, as in a console).
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $DumpType, $Folder, $ExpectedBytes, $Manifest)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$type = if ([int]$DumpType -eq 2) { 'Full' } else { 'Mini' }
$cpu = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = Save-KuduProcessDump -Session $session -Instance $Instance -Id $ProcessId -Name w3wp -DumpType $type -Path $Folder -Confirm:$false
$seconds = $clock.Elapsed.TotalSeconds
$cpu = ([Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime - $cpu).TotalSeconds
if ($result.Length -ne [long]$ExpectedBytes -or (Get-Item $result.Path).Length -ne [long]$ExpectedBytes) { throw "Save-KuduProcessDump wrote $($result.Length) bytes, expected $ExpectedBytes" }
Remove-Item $result.Path
$process = [Diagnostics.Process]::GetCurrentProcess()
@{ seconds = $seconds; peakWorkingSet = $process.PeakWorkingSet64; bytes = $result.Length; serverWrite = $result.ServerWriteTime.TotalSeconds; cpu = $cpu } | ConvertTo-Json -Compress
