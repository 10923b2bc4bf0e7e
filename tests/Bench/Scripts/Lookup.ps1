param($Manifest, $ScmUrl, $UserName, $Password, [string] $Instances, [int] $Repeat)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$instanceIds = $Instances -split ','
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$headers = @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($UserName):$Password")) }

$parallel = foreach ($i in 1..$Repeat) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $details = @(Get-KuduProcess -Session $session -Instance $instanceIds | Get-KuduProcessDetail)
    $clock.Elapsed.TotalSeconds
    if ($details.Count -ne 24) { throw "expected 24 details, got $($details.Count)" }
}

$sequential = foreach ($i in 1..$Repeat) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $count = 0
    foreach ($instance in $instanceIds) {
        $h = $headers + @{ Cookie = "ARRAffinity=$instance" }
        $list = Invoke-RestMethod -Uri "$ScmUrl/api/processes" -Headers $h
        foreach ($p in $list) {
            $null = Invoke-RestMethod -Uri "$ScmUrl/api/processes/$($p.id)" -Headers $h
            $count++
        }
    }
    $clock.Elapsed.TotalSeconds
    if ($count -ne 24) { throw "expected 24 details, got $count" }
}

$median = { param($v) ($v | Sort-Object)[[int][Math]::Floor(($v.Count - 1) / 2)] }
@{ parallel = & $median @($parallel); sequential = & $median @($sequential); processes = 24 } | ConvertTo-Json -Compress
