<#
.SYNOPSIS
    Issue 26's benchmark: the same real .NET heap dump saved raw and with -Compress over a link shaped to 200 Mbit/s,
    best of -Repeat each, with the client's CPU time; the ratio's target is 4 times faster or more.
.DESCRIPTION
    The dump is a real one: dotnet-dump's Heap dump of a pwsh that loaded the module, given a minidump's header so
    the Windows path (and its structure check) takes it; the emulator serves it raw or zipped as Kudu does
    (deflate, Fastest, as it streams). The link: a network namespace whose loopback (MTU 1500) is shaped by tbf,
    with the emulator and the client both inside it. That needs Linux, root, ip and tc: otherwise the bench says it
    was skipped and why.
#>
param([Parameter(Mandatory)] [string] $Root, [int] $Repeat = 3, [int] $RateMbit = 200, [string] $DumpFile)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $Root 'tests/Tools/KuduTestTools.psm1') -Force
$manifest = Join-Path $Root 'out/KuduDiagnostics/KuduDiagnostics.psd1'

function Get-SkipReason {
    if (-not $IsLinux) { return 'network namespaces and tbf need Linux' }
    if ((& id -u) -ne '0') { return 'creating a network namespace and shaping it with tc needs root' }
    foreach ($tool in 'ip', 'tc') { if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { return "'$tool' (iproute2) is not installed" } }
    $null
}

function New-HeapDump([string] $Path) {
    # A pwsh that did some work, dumped with the repository's dotnet-dump (a real heap, not made-up bytes).
    $ready = Join-Path (Split-Path $Path) 'ready.txt'
    $child = Start-Process -PassThru -FilePath ([Environment]::ProcessPath) -ArgumentList @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-Command',
        "Import-Module '$manifest'; `$null = Get-Help Save-KuduProcessDump -Full; `$null = Get-Command -Module Microsoft.PowerShell.*; `$x = 1..200000 | ForEach-Object { [pscustomobject]@{ Id = `$_; Name = 'item ' + `$_; When = [datetime]::UtcNow } }; Set-Content '$ready' ok; Start-Sleep 600")
    try {
        for ($i = 0; $i -lt 120 -and -not (Test-Path $ready); $i++) { Start-Sleep -Milliseconds 500 }
        Push-Location $Root
        try { $out = & dotnet dotnet-dump collect -p $child.Id --type Heap -o $Path 2>&1 } finally { Pop-Location }
        if ($LASTEXITCODE -ne 0) { throw "dotnet-dump failed: $out" }
    }
    finally { Stop-Process -Id $child.Id -Force -ErrorAction Ignore }
    # The minidump header the emulator writes: one memory range over the rest of the file (the core's own bytes).
    $length = (Get-Item $Path).Length
    $header = [byte[]]::new(76)
    $w = [IO.BinaryWriter]::new([IO.MemoryStream]::new($header))
    $w.Write([Text.Encoding]::ASCII.GetBytes('MDMP')); $w.Write([uint32]0xA793); $w.Write([uint32]1); $w.Write([uint32]32); $w.Write([uint32]0)
    $w.Write([uint32]0x6570B2C0); $w.Write([uint64]2); $w.Write([uint32]9); $w.Write([uint32]32); $w.Write([uint32]44)
    $w.Write([uint64]1); $w.Write([uint64]76); $w.Write([uint64]0x7FF600000000); $w.Write([uint64]($length - 76)); $w.Flush()
    $file = [IO.File]::OpenWrite($Path)
    try { $file.Write($header, 0, $header.Length) } finally { $file.Dispose() }
    Get-Item $Path
}

if (-not $DumpFile) {
    $why = Get-SkipReason
    $namespace = "kudubench$PID"
    if (-not $why) {
        & ip netns add $namespace 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { $why = "'ip netns add' failed (no CAP_SYS_ADMIN in this container?)" }
    }
    if ($why) {
        Write-Host "== Compressed transfer over $RateMbit Mbit/s: skipped ($why)"
        return
    }
    $work = Join-Path $Root "out/bench-compress-$PID"
    New-Item -ItemType Directory -Force -Path $work | Out-Null
    try {
        $dump = New-HeapDump (Join-Path $work 'heap.dmp')
        & ip netns exec $namespace ip link set lo mtu 1500 up
        & ip netns exec $namespace tc qdisc add dev lo root tbf rate "${RateMbit}mbit" burst 256kb latency 100ms
        if ($LASTEXITCODE -ne 0) { throw 'tc could not shape the namespace''s loopback' }
        & ip netns exec $namespace ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $PSCommandPath `
            -Root $Root -Repeat $Repeat -RateMbit $RateMbit -DumpFile $dump.FullName
    }
    finally {
        & ip netns del $namespace 2>&1 | Out-Null
        Remove-Item -Recurse -Force $work -ErrorAction Ignore
    }
    return
}

# Inside the namespace: the emulator serves the dump file, a fresh pwsh saves it each time.
$scenario = @{ sites = @(@{ name = 'bench'; instanceCount = 1; appWorkers = 1; extraProcesses = @(); dump = @{ file = $DumpFile } }) }
$emulator = Start-KuduEmulator -Scenario $scenario
try {
    $site = $emulator.Sites[0]
    $runs = [ordered]@{}
    foreach ($mode in 'raw', '-Compress') {
        $runs[$mode] = @(for ($i = 0; $i -lt $Repeat; $i++) {
                $out = Invoke-Pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Scripts/SaveCompressed.ps1') -Manifest $manifest -ScmUrl $site.scmUrl `
                    -UserName $site.userName -Password $site.password -Folder (Join-Path ([IO.Path]::GetTempPath()) "kudu-bench-$PID-$i") -Compress ($mode -eq '-Compress')
                if ($LASTEXITCODE -ne 0) { throw "Save-KuduProcessDump $mode failed: $out" }
                $out | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
            })
    }
    $raw = $runs['raw'] | Sort-Object seconds | Select-Object -First 1
    $zip = $runs['-Compress'] | Sort-Object seconds | Select-Object -First 1
    $length = (Get-Item $DumpFile).Length
    Write-Host ''
    Write-Host ("== A {0:N0} MB real .NET heap dump over {1} Mbit/s (tbf), best of {2}" -f ($length / 1e6), $RateMbit, $Repeat)
    Write-Host ("raw:       {0,6:N2} s  {1,7:N1} MB on the wire  client CPU {2,5:N2} s  peak {3:N0} MiB" -f $raw.seconds, ($raw.wireBytes / 1e6), $raw.cpuSeconds, ($raw.peakWorkingSet / 1MB))
    Write-Host ("-Compress: {0,6:N2} s  {1,7:N1} MB on the wire  client CPU {2,5:N2} s  peak {3:N0} MiB" -f $zip.seconds, ($zip.wireBytes / 1e6), $zip.cpuSeconds, ($zip.peakWorkingSet / 1MB))
    Write-Host ("Ratio: {0:N2} x faster (target >= 4 x for a real .NET heap dump); compression {1:N1} : 1; client CPU of the whole save, unpack included: {2:N2} s with -Compress, {3:N2} s raw" -f `
            ($raw.seconds / $zip.seconds), ($zip.length / $zip.wireBytes), $zip.cpuSeconds, $raw.cpuSeconds)
}
finally { Stop-KuduEmulator $emulator }
