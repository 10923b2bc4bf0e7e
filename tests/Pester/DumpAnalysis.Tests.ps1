# Get-KuduDumpAnalysis and Invoke-FunctionAppDump -Analyze on real dumps: real .NET processes (tests/LinuxTarget)
# with a known heap, dumped by dotnet-dump 10.0.750501; what the analysis finds is checked against what the
# process allocated and against dotnet-dump's own "dumpheap -stat" of the same file. Linux only: the cores, the
# runtime folder and its libcoreclr.so build-id are Linux's (on Windows dotnet-dump writes minidumps: see
# DumpAnalysis.Windows.Tests.ps1).

BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
    $script:onLinux = [bool] (Get-Variable IsLinux -ValueOnly -ErrorAction Ignore)  # no $IsLinux in Windows PowerShell 5.1
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    if (-not (Get-Variable IsLinux -ValueOnly -ErrorAction Ignore)) { return }
    $folder = New-TestFolder
    # Marker: a known number of LeakedWidget objects, each with a byte array of a known size.
    $marker = Start-LinuxTarget -Widgets 1234 -PayloadBytes 3000
    # A thread parked in a catch block, MarkerException in flight.
    $catcher = Start-LinuxTarget -Widgets 3 -Exception
    $heapDump = Save-DotnetDump -ProcessId $marker.pid -Type Heap -Path (Join-Path $folder 'marker-heap.core')
    $miniDump = Save-DotnetDump -ProcessId $catcher.pid -Type Mini -Path (Join-Path $folder 'catcher-mini.core')

    # A process run from a copy of this machine's runtime, which is deleted after the dump: the dump's runtime
    # folder is gone, so its DAC must come from -DacPath or -SymbolPath.
    $runtimeDir = Split-Path -Parent ([object].Assembly.Location)
    $runtimeVersion = Split-Path -Leaf $runtimeDir
    $copy = Join-Path $folder 'runtime'
    $muxer = (Get-Item (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source).ResolvedTarget
    if (-not $muxer) { $muxer = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    New-Item -ItemType Directory -Path (Join-Path $copy 'shared/Microsoft.NETCore.App'), (Join-Path $copy 'host') | Out-Null
    Copy-Item -Recurse $runtimeDir (Join-Path $copy 'shared/Microsoft.NETCore.App')
    Copy-Item -Recurse (Join-Path (Split-Path -Parent $muxer) 'host/fxr') (Join-Path $copy 'host')
    Copy-Item $muxer (Join-Path $copy 'dotnet')
    $moved = Start-LinuxTarget -Widgets 3 -DotNet (Join-Path $copy 'dotnet')
    $movedDump = Save-DotnetDump -ProcessId $moved.pid -Type Mini -Path (Join-Path $folder 'moved-mini.core')
    Stop-LinuxTarget $moved
    Remove-Item -Recurse -Force $copy

    # Files that are not dumps, or not whole ones.
    $bad = Join-Path $folder 'bad'
    New-Item -ItemType Directory -Path $bad | Out-Null
    $notADump = Join-Path $bad 'notes.dmp'
    Set-Content -Path $notADump -Value 'this is a text file, not a dump'
    $truncated = Join-Path $bad 'truncated.core'
    Copy-Item $miniDump.FullName $truncated
    $cut = [IO.File]::OpenWrite($truncated)
    try { $cut.SetLength([long] ($miniDump.Length / 2)) } finally { $cut.Dispose() }
    # A Windows minidump header: MINIDUMP_HEADER with no streams.
    $windows = Join-Path $bad 'w3wp.dmp'
    $header = [byte[]]::new(32)
    [Text.Encoding]::ASCII.GetBytes('MDMP').CopyTo($header, 0)
    [BitConverter]::GetBytes([uint32] 0xA793).CopyTo($header, 4)
    [BitConverter]::GetBytes([uint32] 32).CopyTo($header, 12)
    [IO.File]::WriteAllBytes($windows, $header)
    $partial = Join-Path $bad 'w3wp.dmp.partial'
    Copy-Item $miniDump.FullName $partial

    $widgetSize = 32  # object header + method table + two references (x64)
    $payloadSize = 24 + [Math]::Ceiling($marker.payloadBytes / 8) * 8  # array header + length + bytes, 8-aligned
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false -ErrorAction Ignore
    foreach ($t in @($marker, $catcher)) { if ($t) { Stop-LinuxTarget $t } }
    if ($folder) { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
}

Describe 'Get-KuduDumpAnalysis on a Heap dump' -Skip:(-not $onLinux) {
    BeforeAll {
        $analysis = Get-KuduDumpAnalysis -Path $heapDump.FullName -Top 100000 -WarningVariable warnings
    }

    It 'finds the marker type with its exact count, and the byte arrays that hold the payloads' {
        $warnings | Should -BeNullOrEmpty
        $analysis.HeapInDump | Should -BeTrue
        $widget = $analysis.TopTypes | Where-Object Type -eq $marker.markerType
        $widget.Count | Should -Be $marker.widgets
        $widget.Size | Should -Be ($marker.widgets * $widgetSize)
        $byteArrays = $analysis.TopTypes | Where-Object Type -eq 'System.Byte[]'
        $byteArrays.Count | Should -BeGreaterOrEqual $marker.widgets
        $byteArrays.Size | Should -BeGreaterOrEqual ($marker.widgets * $payloadSize)
        $byteArrays.Size | Should -BeLessThan ($marker.widgets * $payloadSize + 1MB) -Because 'the payloads are nearly all of it'
    }

    It 'lists the types biggest first, and -Top keeps that many' {
        $sizes = @($analysis.TopTypes.Size)
        for ($i = 1; $i -lt $sizes.Count; $i++) { $sizes[$i] | Should -BeLessOrEqual $sizes[$i - 1] }
        $analysis.TopTypes[0].Type | Should -Be 'System.Byte[]'
        $top = Get-KuduDumpAnalysis $heapDump.FullName -Top 5
        @($top.TopTypes.Type) | Should -Be @($analysis.TopTypes[0..4].Type)
        @((Get-KuduDumpAnalysis $heapDump.FullName).TopTypes).Count | Should -Be 20 -Because '-Top defaults to 20'
    }

    It 'agrees with dotnet-dump''s dumpheap -stat on every type, count and size' {
        $sos = foreach ($line in (Invoke-DotnetDumpAnalyze -Path $heapDump.FullName -Command 'dumpheap -stat')) {
            if ($line -match '^\s*[0-9a-f]{8,16}\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$') {
                [pscustomobject]@{ Type = $Matches[3]; Count = [long] ($Matches[1] -replace ','); Size = [long] ($Matches[2] -replace ',') }
            }
        }
        $free = $sos | Where-Object Type -eq 'Free'
        $expected = @($sos | Where-Object Type -ne 'Free' | Sort-Object Type | ForEach-Object { "$($_.Type)|$($_.Count)|$($_.Size)" })
        $actual = @($analysis.TopTypes | Sort-Object Type | ForEach-Object { "$($_.Type)|$($_.Count)|$($_.Size)" })
        $expected.Count | Should -BeGreaterThan 100
        $actual | Should -Be $expected
        $analysis.FreeSize | Should -Be $free.Size
        $analysis.ObjectCount | Should -Be ($sos | Where-Object Type -ne 'Free' | Measure-Object Count -Sum).Sum
    }

    It 'splits the heap into generations that add up to the whole' {
        $parts = $analysis.Generation0Size + $analysis.Generation1Size + $analysis.Generation2Size + $analysis.LargeObjectSize + $analysis.PinnedObjectSize + $analysis.FrozenObjectSize
        $parts | Should -Be $analysis.HeapSize
        $analysis.HeapSize | Should -Be ($analysis.TopTypes | Measure-Object Size -Sum).Sum
    }

    It 'reads the runtime''s real version from its folder, with the DAC beside it' {
        $analysis.ProcessId | Should -Be $marker.pid
        $analysis.Platform | Should -Be 'Linux'
        $analysis.Runtime | Should -Be '.NET'
        $analysis.RuntimeVersion | Should -Be $runtimeVersion
        $analysis.DacPath | Should -Be (Join-Path $runtimeDir 'libmscordaccore.so')
    }

    It 'lists the threads with their frames; the main thread waits in Program.Main' {
        $main = $analysis.Threads | Where-Object ManagedThreadId -eq 1
        $main.Frames | Should -Contain 'Program.<Main>$(System.String[])'
        @($analysis.Threads | Where-Object Exception) | Should -BeNullOrEmpty
        $few = Get-KuduDumpAnalysis $heapDump.FullName -Frames 1
        ($few.Threads | Where-Object ManagedThreadId -eq 1).Frames | Should -Be @($main.Frames[0])
    }

    It 'reads at 80 columns: the table wraps long type names instead of cutting them' {
        $table = $analysis | Format-Table | Out-String -Width 80
        $table | Should -Match 'Id Runtime\s+Heap Threads Exc Biggest types'
        $table | Should -Match '(?m)^Site: \(unknown\)$' -Because 'a dump the module did not name says so in its heading'
        ($table -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        $types = $analysis.TopTypes | Format-Table | Out-String -Width 80
        $long = ($analysis.TopTypes | Sort-Object { $_.Type.Length } -Descending | Select-Object -First 1).Type
        $long.Length | Should -BeGreaterThan 55 -Because 'a generic name longer than the Type column'
        ($types -replace '\s*\r?\n\s*', '') | Should -Match ([regex]::Escape($long)) -Because 'it wraps, nothing is cut'
        $types | Should -Not -Match '…'
        $list = $analysis | Format-List | Out-String -Width 80
        $list | Should -Match 'Program\.<Main>\$\(System\.String\[\]\)'
    }
}

Describe 'Get-KuduDumpAnalysis on a Mini dump' -Skip:(-not $onLinux) {
    BeforeAll {
        $analysis = Get-KuduDumpAnalysis $miniDump.FullName -WarningVariable warnings -WarningAction SilentlyContinue
    }

    It 'warns that the heap is not in it, and still lists the threads' {
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Match 'no managed heap.*-DumpType Heap'
        $analysis.HeapInDump | Should -BeFalse
        $analysis.ObjectCount | Should -Be 0
        $analysis.TopTypes | Should -BeNullOrEmpty
        @($analysis.Threads).Count | Should -BeGreaterOrEqual 2
        ($analysis.Threads | Where-Object ManagedThreadId -eq 1).Frames | Should -Contain 'Program.<Main>$(System.String[])'
    }

    It 'reports the exception in flight on the thread that holds it' {
        $holding = @($analysis.Threads | Where-Object Exception)
        $holding.Count | Should -Be 1
        $holding[0].ManagedThreadId | Should -Be $catcher.exceptionThreadId
        $holding[0].Exception.Type | Should -Be $catcher.exceptionType
        $holding[0].Exception.Message | Should -Be 'kudu-marker exception in flight'
        $holding[0].Frames -join "`n" | Should -Match 'KuduMarker\.InFlight'
        ($analysis | Format-List | Out-String -Width 200) | Should -Match "! KuduMarker\.MarkerException: kudu-marker exception in flight"
    }
}

Describe 'Files that cannot be analysed' -Skip:(-not $onLinux) {
    It 'gives each its own error, and the next file goes on' {
        $inputs = $notADump, $truncated, $windows, $partial, $heapDump.FullName
        $out = @($inputs | Get-KuduDumpAnalysis -Top 1 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $out[0].Path | Should -Be $heapDump.FullName
        @($errors.FullyQualifiedErrorId) | Should -Be @(
            'DumpAnalysisNotADump,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
            'DumpAnalysisTruncated,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
            'DumpAnalysisWrongPlatform,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
            'DumpAnalysisPartialFile,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand')
        @($errors.TargetObject) | Should -Be @($notADump, $truncated, $windows, $partial)
        @($errors.CategoryInfo.Category) | Should -Be @('InvalidData', 'InvalidData', 'NotImplemented', 'InvalidData')
        $errors[1].Exception.Message | Should -Match "holds $('{0:N0}' -f (Get-Item $truncated).Length) bytes of the $('{0:N0}' -f $miniDump.Length)"
        $errors[2].Exception.Message | Should -Match 'Windows minidump.*Analyse it on Windows'
    }

    It 'binds the FullName of Get-ChildItem''s files' {
        $out = @(Get-ChildItem $bad, $folder -File | Sort-Object Name | Get-KuduDumpAnalysis -Top 1 -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        @($out.Path | Sort-Object) | Should -Be @(@($heapDump.FullName, $miniDump.FullName) | Sort-Object)
        # The four files above, and moved-mini.core, whose DAC is gone with its runtime (see below).
        @($errors).Count | Should -Be 5
        @($errors.TargetObject) | Should -Contain $movedDump.FullName
    }

    It 'names the runtime version and -DacPath when the DAC is not on this machine; -DacPath and -SymbolPath supply it' {
        $none = Get-KuduDumpAnalysis $movedDump.FullName -ErrorVariable errors -ErrorAction SilentlyContinue
        $none | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be 'DumpAnalysisDacNotFound,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].Exception.Message | Should -Match "\.NET $([regex]::Escape($runtimeVersion)) .*-DacPath"

        $byFolder = Get-KuduDumpAnalysis $movedDump.FullName -DacPath $runtimeDir -WarningAction SilentlyContinue
        $byFolder.DacPath | Should -Be (Join-Path $runtimeDir 'libmscordaccore.so')
        $byFolder.RuntimeVersion | Should -Be $runtimeVersion
        ($byFolder.Threads | Where-Object ManagedThreadId -eq 1).Frames | Should -Contain 'Program.<Main>$(System.String[])'

        # dotnet-symbol's layout: <dac>/elf-buildid-coreclr-<build id of libcoreclr.so>/<dac>; the error names the id.
        $errors[0].Exception.Message -match 'build id ([0-9a-f]{40})' | Should -BeTrue
        $store = Join-Path $folder "symbols/libmscordaccore.so/elf-buildid-coreclr-$($Matches[1])"
        New-Item -ItemType Directory -Path $store | Out-Null
        Copy-Item (Join-Path $runtimeDir 'libmscordaccore.so') $store
        $bySymbols = Get-KuduDumpAnalysis $movedDump.FullName -SymbolPath (Join-Path $folder 'symbols') -WarningAction SilentlyContinue
        $bySymbols.DacPath | Should -Be (Join-Path $store 'libmscordaccore.so')
    }

    It 'refuses a -DacPath whose runtime is another build, and says which' {
        $net8 = Join-Path $env:KUDU_TEST_NUGET_PACKAGES 'microsoft.netcore.app.runtime.linux-x64/8.0.34/runtimes/linux-x64/native'
        if (-not $env:KUDU_TEST_NUGET_PACKAGES) { $net8 = Join-Path $HOME '.nuget/packages/microsoft.netcore.app.runtime.linux-x64/8.0.34/runtimes/linux-x64/native' }
        Test-Path (Join-Path $net8 'libcoreclr.so') | Should -BeTrue -Because 'build.ps1 restores the .NET 8 runtime package'
        $none = Get-KuduDumpAnalysis $movedDump.FullName -DacPath $net8 -ErrorVariable errors -ErrorAction SilentlyContinue
        $none | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be 'DumpAnalysisDacMismatch,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
        $errors[0].Exception.Message | Should -Match "another build than the dump's \.NET $([regex]::Escape($runtimeVersion))"
    }
}

Describe 'Dump results piped in' -Skip:(-not $onLinux) {
    BeforeAll {
        $scenario = @{ sites = @(@{ name = 'contoso'; instanceCount = 2; appWorkers = 1; extraProcesses = @(); dump = @{ sizes = @{ default = 65536 } } }) }
        $emulator = Start-KuduEmulator -Scenario $scenario
        $site = Get-TestSite $emulator
        $session = New-EmulatorSession $emulator
        $saved = Join-Path $folder 'saved'
    }
    AfterAll {
        if ($emulator) { Stop-KuduEmulator $emulator }
    }

    It 'carries the site, instance and process of a Save-KuduProcessDump result' {
        $result = Get-KuduProcess -Session $session -Instance $site.instances[0] -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 | Save-KuduProcessDump -Path $saved -Confirm:$false
        # The emulator's Windows face serves a minidump header: on Linux that is an error that names the result.
        $result | Get-KuduDumpAnalysis -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be 'DumpAnalysisWrongPlatform,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
        $errors[0].TargetObject | Should -BeOfType KuduDiagnostics.KuduDumpResult
        $errors[0].TargetObject.Path | Should -Be $result.Path
        # The same result over a real core: the site, instance and process name come from the result.
        Copy-Item $heapDump.FullName $result.Path -Force
        $analysis = $result | Get-KuduDumpAnalysis -Top 3
        $analysis.SiteName | Should -Be 'contoso'
        $analysis.Instance | Should -Be $site.instances[0]
        $analysis.ProcessName | Should -Be 'w3wp'
        $analysis.Path | Should -Be $result.Path
        ($analysis | Format-Table | Out-String -Width 80) | Should -Match ('(?m)^Site: contoso   Instance: ' + [regex]::Escape($site.instances[0].Substring(0, 6)))
    }

    It 'says to download a blob result first, and downloads nothing' -Skip:(-not $haveAzurite) {
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
        $container = 'analysis-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        New-TestContainer $azurite $container
        $result = Get-KuduProcess -Session $session -Instance $site.instances[1] -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 |
            Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -Confirm:$false
        $result.BlobUri | Should -Not -BeNullOrEmpty
        $result | Get-KuduDumpAnalysis -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be 'DumpAnalysisNotOnDisk,KuduDiagnostics.Commands.GetKuduDumpAnalysisCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -Match 'download it first'
    }

    It 'Invoke-FunctionAppDump -Analyze: each dump is saved and analysed; an analysis error does not stop the next dump' {
        # Publishing credentials, not the managed identity: Azure.Identity keeps its managed-identity tokens in a
        # process-wide cache, which would hand this emulator's token to Invoke.Tests.ps1's.
        $runbook = Join-Path $folder 'runbook'
        $out = @(Invoke-FunctionAppDump -Session $session -Instance $site.instances -Path $runbook -Analyze -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $results = @($out | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] })
        $results.Count | Should -Be 2 -Because 'one w3wp on each of two instances'
        # Windows minidumps from the emulator cannot be analysed on Linux: one error per dump, aimed at its result.
        @($errors.FullyQualifiedErrorId | Sort-Object -Unique) | Should -Be 'DumpAnalysisWrongPlatform,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand'
        @($errors).Count | Should -Be 2
        @($errors.TargetObject.Path | Sort-Object) | Should -Be @($results.Path | Sort-Object)
        Get-ChildItem $runbook -Recurse -Filter *.analysis.json | Should -BeNullOrEmpty

        # -Analyze is only in the -Path parameter sets: PowerShell refuses it with a blob destination, before any dump.
        { Invoke-FunctionAppDump -Session $session -Analyze -BlobContainerUri 'https://example.blob.core.windows.net/dumps' -Confirm:$false } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand'
    }
}
