# One watch run for Bench/Watch.ps1: Watch-KuduProcess on every instance, piped into Save-KuduProcessDump.
param($Manifest, $ScmUrl, $UserName, $Password, [string] $Instances, $Folder, [int] $Count, [int] $ForSeconds, [int] $TimeoutSeconds)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$started = [datetime]::UtcNow
$results = @(Watch-KuduProcess -Session $session -Instance ($Instances -split ',') -PrivateMemoryAbove 1GB -For $ForSeconds -Interval 1 `
        -Count $Count -Cooldown 01:00:00 -Timeout $TimeoutSeconds |
    Save-KuduProcessDump -Path $Folder -Confirm:$false)
$ended = [datetime]::UtcNow
@{ startedUtc = $started.ToString('o'); endedUtc = $ended.ToString('o'); dumps = $results.Count } | ConvertTo-Json -Compress
