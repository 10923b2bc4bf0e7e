<#
.SYNOPSIS
    Issue 4's benchmark: a 1 GiB dump from Kudu straight into a blob, against download-to-file then upload-file.
.DESCRIPTION
    Azurite takes uploads at only ~40 MB/s here while loopback downloads run at ~1 GB/s, which would hide what
    streaming gains; a real Kudu across the internet is far slower than loopback. So the emulator paces the dump
    at about Azurite's upload rate, as a distant Kudu would.
#>
param([Parameter(Mandatory)] [string] $Root, [int] $Repeat = 3, [long] $Size = 1GB, [long] $PaceBytesPerSecond = 40000000)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
$manifest = Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'
$scripts = Join-Path $PSScriptRoot 'Scripts'

function ConvertTo-ArgumentList([hashtable] $Table) { foreach ($k in $Table.Keys) { "-$k"; [string] $Table[$k] } }

$azurite = Start-TestAzurite -Root $Root
$emulator = Start-KuduEmulator -Scenario @{ sites = @(@{ name = 'bench'; instanceCount = 1; appWorkers = 1; extraProcesses = @()
            dump = @{ sizes = @{ '1' = $Size }; writeDelayMs = 0; paceBytesPerSecond = $PaceBytesPerSecond } }) }
try {
    $site = $emulator.Sites[0]
    $instance = $site.instances[0]
    $headers = @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($site.userName):$($site.password)")); Cookie = "ARRAffinity=$instance" }
    $processId = (Invoke-RestMethod -Uri "$($site.scmUrl)/api/processes/-1" -Headers $headers).id
    New-TestContainer $azurite 'bench'
    $common = @{
        ScmUrl = $site.scmUrl; UserName = $site.userName; Password = $site.password; Instance = $instance; ProcessId = $processId
        ConnectionString = $azurite.ConnectionString; Container = 'bench'; ExpectedBytes = $Size
    }

    $runs = foreach ($i in 1..$Repeat) {
        # Direct: TMP and TMPDIR point at an empty folder that must still be empty afterwards.
        $tmp = Join-Path ([IO.Path]::GetTempPath()) "kudu-bench-tmp-$PID-$i"
        New-Item -ItemType Directory -Path $tmp -Force | Out-Null
        # A watcher sees files that come and go during the transfer, not only what is left at the end.
        $watcher = [IO.FileSystemWatcher]::new($tmp)
        $watcher.IncludeSubdirectories = $true
        $created = [System.Collections.Concurrent.ConcurrentBag[string]]::new()
        $handler = Register-ObjectEvent -InputObject $watcher -EventName Created -MessageData $created -Action { $Event.MessageData.Add($EventArgs.FullPath) }
        $watcher.EnableRaisingEvents = $true
        $saved = $env:TMP, $env:TMPDIR
        $env:TMP = $tmp; $env:TMPDIR = $tmp
        try {
            $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $scripts 'SaveDumpBlob.ps1'), '-Manifest', $manifest) + (ConvertTo-ArgumentList $common)
            $output = Invoke-Pwsh @arguments 2>&1
        }
        finally { $env:TMP, $env:TMPDIR = $saved }
        if ($LASTEXITCODE -ne 0) { throw "SaveDumpBlob.ps1 failed: $($output -join "`n")" }
        $direct = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
        Start-Sleep -Milliseconds 200
        $watcher.EnableRaisingEvents = $false
        Unregister-Event -SourceIdentifier $handler.Name
        $watcher.Dispose()
        # Every .NET process makes its diagnostics IPC endpoints (clr-debug-pipe-*, dotnet-diagnostic-*) in TMPDIR
        # when it starts; they carry no data. Anything else would be a dump spilling to disk.
        $runtimeIpc = '^(clr-debug-pipe-|dotnet-diagnostic-)'
        $tmpFiles = @(@(Get-ChildItem -Force -Recurse $tmp | ForEach-Object FullName) + @($created) | Sort-Object -Unique |
            Where-Object { (Split-Path -Leaf $_) -notmatch $runtimeIpc })
        if ($tmpFiles) { Write-Host "   files written to TMP: $($tmpFiles -join ', ')" }
        Remove-Item -Recurse -Force $tmp

        $work = Join-Path $Root "out/bench-twostep-$PID"
        New-Item -ItemType Directory -Path $work -Force | Out-Null
        try {
            $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $scripts 'TwoStepBlob.ps1'), '-Folder', $work,
                '-Dependencies', (Join-Path $Root 'out/KuduDiagnostics/dependencies')) + (ConvertTo-ArgumentList $common)
            $output = Invoke-Pwsh @arguments 2>&1
            if ($LASTEXITCODE -ne 0) { throw "TwoStepBlob.ps1 failed: $($output -join "`n")" }
        }
        finally { Remove-Item -Recurse -Force $work -ErrorAction Ignore }
        $twoStep = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json

        [pscustomobject]@{ Direct = $direct.seconds; DirectPeak = $direct.peakWorkingSet; TwoStep = $twoStep.seconds; TwoStepPeak = $twoStep.peakWorkingSet; TempFiles = $tmpFiles.Count }
    }

    $median = { param($values) ($values | Sort-Object)[[int][Math]::Floor(($values.Count - 1) / 2)] }
    $directSeconds = & $median @($runs.Direct)
    $twoStepSeconds = & $median @($runs.TwoStep)
    Write-Host ''
    Write-Host ("== Dump to blob: {0:N0} MiB, Kudu paced at {1:N0} MB/s, Azurite on loopback (median of {2})" -f ($Size / 1MB), ($PaceBytesPerSecond / 1e6), $Repeat)
    $runs | Format-Table @{ n = 'Direct s'; e = { [Math]::Round($_.Direct, 1) } }, @{ n = 'Two-step s'; e = { [Math]::Round($_.TwoStep, 1) } },
        @{ n = 'Direct peak WS MiB'; e = { [Math]::Round($_.DirectPeak / 1MB) } }, @{ n = 'Two-step peak WS MiB'; e = { [Math]::Round($_.TwoStepPeak / 1MB) } },
        @{ n = 'Files created in TMP'; e = { $_.TempFiles } } | Out-String | Write-Host
    Write-Host ("Direct {0:N1} s vs two-step {1:N1} s: ratio {2:N2} (target <= 0.65); direct peak working set {3:N0} MiB (target < 200); files created in TMP during direct transfers: {4}" -f `
        $directSeconds, $twoStepSeconds, ($directSeconds / $twoStepSeconds), (($runs.DirectPeak | Measure-Object -Maximum).Maximum / 1MB), (($runs.TempFiles | Measure-Object -Sum).Sum))
}
finally {
    Stop-KuduEmulator $emulator
    Stop-TestAzurite $azurite
}
