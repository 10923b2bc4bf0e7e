# KuduDiagnostics: Save-KuduProcessDump straight into a blob.
param($ScmUrl, $UserName, $Password, $Instance, $ProcessId, $ConnectionString, $Container, $ExpectedBytes, $Manifest)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$clock = [Diagnostics.Stopwatch]::StartNew()
$result = Save-KuduProcessDump -Session $session -Instance $Instance -Id $ProcessId -Name w3wp -ConnectionString $ConnectionString -Container $Container -BlobPrefix direct -Confirm:$false
$seconds = $clock.Elapsed.TotalSeconds
if ($result.Length -ne [long]$ExpectedBytes) { throw "stored $($result.Length) bytes, expected $ExpectedBytes" }
@{ seconds = $seconds; peakWorkingSet = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 } | ConvertTo-Json -Compress
