# Issue 14: Invoke-FunctionAppDump over 20 instances (200 app workers, 300 ms per detail, 50 ms per dump write).
param($Manifest, $ScmUrl, $UserName, $Password, [string] $Instances, [string] $Folder, [int] $Expected)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$clock = [Diagnostics.Stopwatch]::StartNew()
$results = @(Invoke-FunctionAppDump -Session $session -Instance ($Instances -split ',') -Path $Folder -Confirm:$false -WarningAction SilentlyContinue)
$seconds = $clock.Elapsed.TotalSeconds
if ($results.Count -ne $Expected) { throw "expected $Expected dumps, got $($results.Count)" }
$serverWrite = ($results | Measure-Object -Property { $_.ServerWriteTime.TotalSeconds } -Sum).Sum
@{ seconds = $seconds; dumps = $results.Count; serverWrite = $serverWrite } | ConvertTo-Json -Compress
