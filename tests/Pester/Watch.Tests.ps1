# Watch-KuduProcess and Invoke-FunctionAppDump -Watch against the emulator's scripted process timelines. Every
# timeline runs on the emulator's scenario clock, which Reset-KuduEmulator restarts; times are seconds since then.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $MB = 1MB; $GB = 1GB
    function Worker([int] $Id, [hashtable] $Extra = @{}) {
        $p = @{ id = $Id; name = 'w3wp'; privateMemory = 500MB }
        foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
        $p
    }
    $scm = @{ id = 100; name = 'w3wp'; isScmSite = $true; privateMemory = 3GB }
    # The leak crosses 1.5 GB at 1 s + 0.1 s x (1.5 GB - 500 MB) / (2 GB - 500 MB), and stays there.
    $script:LeakCrossing = 1 + 0.1 * (1.5GB - 500MB) / (2GB - 500MB)
    $leak = @{ privateMemory = @(@(0, 500MB), @(1, 500MB), @(1.1, 2GB)) }
    $scenario = @{
        sites = @(
            @{ name = 'leak'; instances = @(@{ processes = @($scm, (Worker 200 @{ timeline = $leak }), @{ id = 300; name = 'dotnet'; privateMemory = 5GB }) }) }
            # Above 1.5 GB from 1.55 s to 3.45 s: shorter than the -For the test asks.
            @{ name = 'spike'; instances = @(@{ processes = @($scm, (Worker 200 @{ timeline = @{ privateMemory = @(@(0, 500MB), @(1.5, 500MB), @(1.6, 2GB), @(3.4, 2GB), @(3.5, 500MB)) } })) }) }
            @{ name = 'scm'; instances = @(@{ processes = @($scm, (Worker 200)) }) }
            # 3 CPU-seconds per second from 2.5 s on: 75 % of a 4-core instance.
            @{ name = 'storm'; instances = @(@{ processorCount = 4; processes = @($scm, (Worker 200 @{ timeline = @{ cpuTime = @(@(0, 100), @(2.5, 100), @(62.5, 280)) } })) }) }
            @{ name = 'pair'; dump = @{ sizes = @{ default = 262144 }; writeDelayMs = 300 }
               instances = @(@{ processes = @($scm, (Worker 200 @{ privateMemory = 2GB })) }, @{ processes = @(@{ id = 104; name = 'w3wp'; isScmSite = $true }, (Worker 204 @{ privateMemory = 2GB })) }) }
            # w3wp 200 exits at 1.5 s; its successor 204 appears at 2 s and leaks from 2.5 s.
            @{ name = 'recycle'; instances = @(@{ processes = @($scm, (Worker 200 @{ exitAt = 1.5 }), (Worker 204 @{ appearAt = 2; timeline = @{ privateMemory = @(@(0, 500MB), @(2.5, 500MB), @(2.6, 2GB)) } })) }) }
            @{ name = 'flaky'; instances = @(@{ processes = @($scm, (Worker 200 @{ privateMemory = 2GB })) }) }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $sessions = @{}
    foreach ($key in 'leak', 'spike', 'scm', 'storm', 'pair', 'recycle', 'flaky') { $sessions[$key] = New-EmulatorSession $emulator $key }

    function Start-Scenario {
        # Restarts every timeline; returns the moment after the restart (the scripted times are at most this late).
        Reset-KuduEmulator $emulator
        [datetime]::UtcNow
    }

    function Watch([string] $Site, [hashtable] $Parameters) {
        # Each firing with the moment it reached the pipeline.
        Watch-KuduProcess -Session $sessions[$Site] -Interval 1 @Parameters |
            ForEach-Object { $_ | Add-Member -NotePropertyName Arrived -NotePropertyValue ([datetime]::UtcNow) -PassThru }
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Watch-KuduProcess triggers' {
    It 'fires once on a sustained rise, and not before -For has passed' {
        $t0 = Start-Scenario
        $firings = @(Watch leak @{ PrivateMemoryAbove = 1.5GB; For = 3; Count = 3; Cooldown = '00:10:00'; Timeout = 6 })

        $firings | Should -HaveCount 1
        $f = $firings[0]
        $f | Should -BeOfType ([KuduDiagnostics.KuduWatchFiring])
        $f.Id | Should -Be 200
        $f.Name | Should -Be 'w3wp'
        $f.PrivateMemory | Should -Be 2GB
        $f.Trigger | Should -Be 'PrivateMemory > 1.5 GB for 00:00:03'
        # Timed by Kudu's stamps; a twentieth of the 1 s interval is forgiven for jitter.
        ($f.FiredAt - $f.CrossedAt).TotalSeconds | Should -BeGreaterOrEqual 2.95
        # The only timed bound: it did not fire before the scripted crossing plus -For (less network jitter).
        ($f.Arrived - $t0.AddSeconds($LeakCrossing)).TotalSeconds | Should -BeGreaterOrEqual 2.75
    }

    It 'never fires on a spike shorter than -For, which one sample would catch' {
        Start-Scenario | Out-Null
        @(Watch spike @{ PrivateMemoryAbove = 1.5GB; For = 4; Timeout = 6 }) | Should -HaveCount 0

        Start-Scenario | Out-Null
        $caught = @(Watch spike @{ PrivateMemoryAbove = 1.5GB; Timeout = 6 })
        $caught | Should -HaveCount 1
        $caught[0].PrivateMemory | Should -Be 2GB
    }

    It 'never fires for the SCM worker, even when it is the hottest, unless -IncludeScmSite' {
        Start-Scenario | Out-Null
        $messages = @(Watch scm @{ PrivateMemoryAbove = 1GB; Timeout = 3; Verbose = $true } 4>&1)
        @($messages | Where-Object { $_ -is [KuduDiagnostics.KuduWatchFiring] }) | Should -HaveCount 0
        @($messages | Where-Object { "$_" -like '*(100)*SCM (Kudu) site*' }) | Should -HaveCount 1

        $included = @(Watch scm @{ PrivateMemoryAbove = 1GB; Timeout = 3; IncludeScmSite = $true })
        $included | Should -HaveCount 1
        $included[0].Id | Should -Be 100
    }

    It 'computes CPU percent of a 4-core instance from CPU time over wall-clock time' {
        $t0 = Start-Scenario
        $f = @(Watch storm @{ CpuAbove = 74; Timeout = 10 })

        $f | Should -HaveCount 1
        $f[0].ProcessorCount | Should -Be 4
        $f[0].CpuPercent | Should -BeGreaterThan 74.5
        $f[0].CpuPercent | Should -BeLessThan 75.5
        $f[0].CrossedAt | Should -BeGreaterThan $t0.AddSeconds(2)
    }

    It 'holds -Cooldown: a process that fired does not fire again while it lasts' {
        Start-Scenario | Out-Null
        @(Watch leak @{ PrivateMemoryAbove = 1.5GB; Count = 2; Cooldown = '00:10:00'; Timeout = 4 }) | Should -HaveCount 1

        Start-Scenario | Out-Null
        $again = @(Watch leak @{ PrivateMemoryAbove = 1.5GB; Count = 2; Timeout = 6 })
        $again | Should -HaveCount 2
        $again.Number | Should -Be @(1, 2)
    }
}

Describe 'Watch-KuduProcess over time' {
    It 'picks up a recycled worker at the next list and drops the one that exited silently' {
        Start-Scenario | Out-Null
        $out = @(Watch-KuduProcess -Session $sessions['recycle'] -PrivateMemoryAbove 1.5GB -Interval 1 -Timeout 10 -ErrorVariable err -WarningVariable warn)

        $out | Should -HaveCount 1
        $out[0].Id | Should -Be 204
        $err | Should -HaveCount 0
        $warn | Should -HaveCount 0
    }

    It 'goes on through 503s, skipping a sample with a verbose message' {
        Start-Scenario | Out-Null
        # 4 answers are one detail's request and its 3 retries: one sample is lost, then Kudu answers again.
        Set-KuduEmulatorFault $emulator 'flaky' @(@{ route = 'detail'; pid = 200; action = 'status'; status = 503; count = 4 })
        $out = @(Watch-KuduProcess -Session $sessions['flaky'] -PrivateMemoryAbove 1GB -For 1 -Interval 1 -Timeout 15 -Verbose -ErrorVariable err 4>&1)

        @($out | Where-Object { $_ -is [KuduDiagnostics.KuduWatchFiring] }) | Should -HaveCount 1
        @($out | Where-Object { "$_" -like 'Skipped one sample of w3wp (200)*503*' }) | Should -HaveCount 1
        $err | Should -HaveCount 0
        (Get-KuduEmulatorStats $emulator 'flaky').statuses.'503' | Should -Be 4
    }

    It 'ends with a clear error when Kudu refuses the credentials' {
        Start-Scenario | Out-Null
        $site = Get-TestSite $emulator 'scm'
        # New-KuduSession checks the credentials, so they are rotated after it: Kudu refuses the watch's requests.
        $wrong = New-KuduSession -ScmUri $site.scmUrl -Name scm -Credential (New-TestCredential $site)
        Set-KuduEmulatorSetting $emulator 'scm' @{ basicAuth = @{ password = 'rotated-' + [guid]::NewGuid().ToString('n') } }
        $out = @(Watch-KuduProcess -Session $wrong -PrivateMemoryAbove 1GB -Interval 1 -ErrorVariable err -ErrorAction SilentlyContinue)
        Reset-KuduEmulator $emulator

        $out | Should -HaveCount 0
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAuthenticationFailed,*'
        $err[0].Exception.Message | Should -BeLike '*401*'
        $wrong | Remove-KuduSession -Confirm:$false
    }

    It 'refuses a watch without a trigger or with an interval under a second' {
        { Watch-KuduProcess -Session $sessions['scm'] -ErrorAction Stop } | Should -Throw -ErrorId 'KuduWatchInvalid,*'
        { Watch-KuduProcess -Session $sessions['scm'] -CpuAbove 50 -Interval 0.5 -ErrorAction Stop } | Should -Throw -ErrorId 'KuduWatchInvalid,*'
    }

    It 'shows the hottest process first in its progress, and stops promptly on Ctrl+C' {
        Start-Scenario | Out-Null
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Manifest, $Session)
            Import-Module $Manifest
            # Never fires: 100 GB. With the SCM worker (3 GB) watched too, it is the hottest of the two.
            Watch-KuduProcess -Session $Session -PrivateMemoryAbove 100GB -IncludeScmSite -Interval 1
        }).AddArgument($ModuleManifest).AddArgument($sessions['scm'])
        try {
            $async = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while (-not (@($ps.Streams.Progress) | Where-Object { $_.Activity -like '#2 *' -and $_.RecordType -eq 'Processing' })) {
                if ([datetime]::UtcNow -gt $deadline) { throw 'the watch never showed its progress' }
                Start-Sleep -Milliseconds 50
            }

            $bars = @($ps.Streams.Progress | Where-Object { $_.Activity -like '#*' -and $_.RecordType -eq 'Processing' })
            $bars[0].Activity | Should -BeLike '#1 w3wp (100) on instance *'
            $bars[0].StatusDescription | Should -BeLike 'PM 3 GB*'
            ($bars | Where-Object Activity -like '#2 *')[0].Activity | Should -BeLike '#2 w3wp (200) on instance *'

            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $async.IsCompleted | Should -BeTrue
        }
        finally { $ps.Dispose() }
    }

    It 'keeps the environment it reads NUMBER_OF_PROCESSORS from out of every stream' {
        Start-Scenario | Out-Null
        $DebugPreference = 'Continue'
        $captured = @(Watch-KuduProcess -Session $sessions['storm'] -CpuAbove 1 -Interval 1 -Timeout 6 -Verbose -Debug *>&1)
        $text = ($captured | ForEach-Object { $_ | Format-List * -Force | Out-String }) -join "`n"

        @($captured | Where-Object { $_ -is [KuduDiagnostics.KuduWatchFiring] }) | Should -HaveCount 1
        $text | Should -BeLike '*api/processes/200*'
        $text | Should -Not -BeLike '*AccountKey=*'
        $text | Should -Not -BeLike '*Password=*'
        $text | Should -Not -BeLike '*WEBSITE_AUTH_ENCRYPTION_KEY*'
    }
}

Describe 'Watch, then dump' {
    BeforeEach { $folder = New-TestFolder }
    AfterEach { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }

    It 'saves the bytes the server sent for the process that fired' {
        Start-Scenario | Out-Null
        $result = Watch-KuduProcess -Session $sessions['leak'] -PrivateMemoryAbove 1.5GB -Interval 1 -Timeout 10 | Save-KuduProcessDump -Path $folder -Confirm:$false

        $result | Should -HaveCount 1
        $result.ProcessId | Should -Be 200
        $expected = Get-KuduEmulatorExpectedDump $emulator 'leak' $result.Instance 200 1
        Get-Sha256 $result.Path | Should -Be $expected.sha256
        (Get-Item $result.Path).Length | Should -Be $expected.length
    }

    It '-Count 2 across two instances yields two dumps, never two at once on the site' {
        Start-Scenario | Out-Null
        $pair = Get-TestSite $emulator 'pair'
        $results = @(Watch-KuduProcess -Session $sessions['pair'] -Instance $pair.instances -PrivateMemoryAbove 1GB -Count 2 -Interval 1 -Timeout 10 |
            Save-KuduProcessDump -Path $folder -Confirm:$false)

        $results | Should -HaveCount 2
        @($results.Instance | Sort-Object) | Should -Be @($pair.instances | Sort-Object)
        @($results.ProcessId | Sort-Object) | Should -Be @(200, 204)
        (Get-KuduEmulatorStats $emulator 'pair').maxConcurrentDumps | Should -Be 1
    }

    It 'Invoke-FunctionAppDump -Watch dumps what fires on every instance given' {
        Start-Scenario | Out-Null
        $pair = Get-TestSite $emulator 'pair'
        $results = @(Invoke-FunctionAppDump -Session $sessions['pair'] -Instance $pair.instances -Watch -PrivateMemoryAbove 1GB -Count 2 `
                -Interval 1 -Timeout 10 -Path $folder -Confirm:$false)

        $results | Should -HaveCount 2
        @($results.ProcessId | Sort-Object) | Should -Be @(200, 204)
        $stats = Get-KuduEmulatorStats $emulator 'pair'
        $stats.maxConcurrentDumps | Should -Be 1
        # The SCM workers were read once each to know them, never dumped.
        @($stats.dumps | Where-Object { $_.pid -in 100, 104 }) | Should -HaveCount 0
    }

    It 'Invoke-FunctionAppDump refuses a trigger without -Watch: PowerShell itself, the trigger exists only with -Watch' {
        { Invoke-FunctionAppDump -Session $sessions['pair'] -PrivateMemoryAbove 1GB -Path $folder -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'NamedParameterNotFound,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand' -ExpectedMessage "*parameter name 'PrivateMemoryAbove'*"
        { Invoke-FunctionAppDump -Session $sessions['pair'] -For 30 -Path $folder -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'KuduWatchInvalid,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand' -ExpectedMessage '-For is a watch parameter: add -Watch*'
        Get-DumpFiles $folder | Should -BeNullOrEmpty
    }
}
