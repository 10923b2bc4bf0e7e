# Every w3wp's details on the given instances: the module (-Repeat runs), then a sequential loop (one run).
# Used by the 8 x 3 lookup case (Lookup.ps1) and the 20 x 11 case (Scale.ps1).
param($Manifest, $ScmUrl, $UserName, $Password, [string] $Instances, [int] $Repeat, [int] $Expected, [switch] $SkipSequential)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$instanceIds = $Instances -split ','
$credential = [pscredential]::new($UserName, (ConvertTo-SecureString $Password -AsPlainText -Force))
$session = New-KuduSession -ScmUri $ScmUrl -Name bench -Credential $credential
$headers = @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($UserName):$Password")) }

$parallel = foreach ($i in 1..$Repeat) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $details = @(Get-KuduProcess -Session $session -Instance $instanceIds | Where-Object Name -eq w3wp | Get-KuduProcessDetail)
    $clock.Elapsed.TotalSeconds
    if ($details.Count -ne $Expected) { throw "expected $Expected details, got $($details.Count)" }
}

# The well-known sample's way, once: it is bound by latency alone, so one run is its figure.
$sequential = if (-not $SkipSequential) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $count = 0
    foreach ($instance in $instanceIds) {
        $h = $headers + @{ Cookie = "ARRAffinity=$instance" }
        # Invoke-RestMethod writes a JSON array as one object: unroll it before filtering.
        $list = Invoke-RestMethod -Uri "$ScmUrl/api/processes" -Headers $h
        foreach ($p in @($list | ForEach-Object { $_ } | Where-Object name -eq w3wp)) {
            $null = Invoke-RestMethod -Uri "$ScmUrl/api/processes/$($p.id)" -Headers $h
            $count++
        }
    }
    $clock.Elapsed.TotalSeconds
    if ($count -ne $Expected) { throw "expected $Expected details, got $count" }
}
@{ parallel = @($parallel); sequential = $sequential } | ConvertTo-Json -Compress
