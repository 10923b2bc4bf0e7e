# Get-KuduDumpAnalysis on Windows, for .github/workflows/ci.yml (pwsh and Windows PowerShell 5.1 on windows-latest):
# a real .NET process (tests/LinuxTarget, which runs anywhere) dumped by dotnet-dump, which writes a Windows minidump
# there. Skipped elsewhere; DumpAnalysis.Tests.ps1 covers Linux cores.

BeforeDiscovery {
    $script:onWindows = $PSVersionTable.PSEdition -eq 'Desktop' -or [bool] (Get-Variable IsWindows -ValueOnly -ErrorAction Ignore)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Get-KuduDumpAnalysis on Windows' -Skip:(-not $onWindows) {
    # The DAC is taken beside the dump's coreclr.dll when its time stamp and image size are the dump's.
    BeforeAll {
        $winFolder = New-TestFolder
        $winTarget = Start-LinuxTarget -Widgets 1234 -PayloadBytes 3000 -Exception
        $winDump = Save-DotnetDump -ProcessId $winTarget.pid -Type Heap -Path (Join-Path $winFolder 'marker.dmp')
    }
    AfterAll {
        if ($winTarget) { Stop-LinuxTarget $winTarget }
        if ($winFolder) { Remove-Item -Recurse -Force $winFolder -ErrorAction Ignore }
    }

    It 'finds the marker type and count, and the exception in flight, in a Windows minidump' {
        $a = Get-KuduDumpAnalysis $winDump.FullName -Top 100000
        $a.Platform | Should -Be 'Windows'
        $a.HeapInDump | Should -BeTrue
        ($a.TopTypes | Where-Object Type -eq $winTarget.markerType).Count | Should -Be $winTarget.widgets
        @($a.Threads | Where-Object Exception)[0].Exception.Type | Should -Be $winTarget.exceptionType
        $a.RuntimeVersion | Should -Match '^\d+\.\d+\.\d+'
        $a.DacPath | Should -Match 'mscordaccore\.dll$'
    }
}
