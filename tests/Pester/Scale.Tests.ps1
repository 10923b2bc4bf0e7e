# Issue 14: requests bounded per instance and overall, and Invoke-FunctionAppDump over 20 instances under faults.
# No timing is asserted: the emulator counts requests in flight per instance, and dumps in flight per site.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $scenario = @{
        sites = @(
            # 6 instances x 7 w3wp; every list and detail takes 150 ms, so requests overlap whenever they may.
            @{ name = 'wide'; instanceCount = 6; appWorkers = 6; extraProcesses = @() }
            # 20 instances x (10 app workers + the SCM worker), small dumps.
            @{ name = 'fleet'; instanceCount = 20; appWorkers = 10; extraProcesses = @(); dump = @{ sizes = @{ default = 32768 } } }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $wide = Get-TestSite $emulator 'wide'
    $fleet = Get-TestSite $emulator 'fleet'
    $slow = @(@{ route = 'list'; action = 'delay'; delayMs = 150 }, @{ route = 'detail'; action = 'delay'; delayMs = 150 })

    function Get-InstanceMaxima($Stats) { @($Stats.instances.PSObject.Properties.Value.maxConcurrentRequests) }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Requests bounded per instance and overall' {
    BeforeAll { $session = New-EmulatorSession $emulator 'wide' }
    BeforeEach {
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'wide' $slow
    }

    It 'Get-KuduProcessDetail keeps -ThrottleLimit per instance, runs instances side by side, and keeps the input order' {
        $processes = @(Get-KuduProcess -Session $session -Instance $wide.instances)
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'wide' $slow

        $details = @($processes | Get-KuduProcessDetail -ThrottleLimit 2)

        ($details | ForEach-Object { "$($_.Instance)/$($_.Id)" }) | Should -Be ($processes | ForEach-Object { "$($_.Instance)/$($_.Id)" })
        $stats = Get-KuduEmulatorStats $emulator 'wide'
        $maxima = Get-InstanceMaxima $stats
        $maxima | Should -HaveCount 6
        ($maxima | Measure-Object -Maximum).Maximum | Should -Be 2 -Because 'each instance had 7 lookups queued and may serve 2 at once'
        $stats.maxBusyInstances | Should -BeGreaterThan 1
        $stats.maxConcurrentAcrossInstances | Should -BeGreaterThan 2 -Because 'the per-instance bound is not an overall one'
    }

    It 'Get-KuduProcessDetail keeps -OverallThrottleLimit over all instances' {
        $processes = @(Get-KuduProcess -Session $session -Instance $wide.instances)
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'wide' $slow

        $details = @($processes | Get-KuduProcessDetail -ThrottleLimit 8 -OverallThrottleLimit 3)

        $details | Should -HaveCount 42
        $stats = Get-KuduEmulatorStats $emulator 'wide'
        $stats.maxConcurrentAcrossInstances | Should -Be 3
        ((Get-InstanceMaxima $stats) | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 3
        $stats.maxBusyInstances | Should -BeGreaterThan 1
    }

    It 'Get-KuduProcess keeps -OverallThrottleLimit while it lists many instances' {
        $processes = @(Get-KuduProcess -Session $session -Instance $wide.instances -OverallThrottleLimit 2)

        @($processes.Instance | Select-Object -Unique) | Should -Be $wide.instances -Because 'the output keeps the order of the instances'
        $stats = Get-KuduEmulatorStats $emulator 'wide'
        $stats.maxConcurrentAcrossInstances | Should -Be 2
        $stats.maxBusyInstances | Should -Be 2
    }

    It 'refuses bounds outside their ranges' {
        { Get-KuduProcess -Session $session -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Get-KuduProcess -Session $session -OverallThrottleLimit 1025 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
}

Describe 'Invoke-FunctionAppDump over 20 instances' {
    BeforeAll {
        $session = New-EmulatorSession $emulator 'fleet'
        # Which pids are the SCM site's worker, read once before any fault is set.
        Reset-KuduEmulator $emulator
        $scm = @(Get-KuduProcess -Session $session -Instance $fleet.instances -Name w3wp | Get-KuduProcessDetail | Where-Object IsScmSite |
            ForEach-Object { "$($_.Instance)/$($_.Id)" })
    }

    BeforeEach {
        Reset-KuduEmulator $emulator
        $folder = New-TestFolder
    }

    AfterEach { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }

    It 'with 10 % of details answered 503, 4 list 503s and 5 failed dumps, loses nothing and reports each failure once' {
        $scm | Should -HaveCount 20
        Set-KuduEmulatorFault $emulator 'fleet' @(
            @{ route = 'list'; action = 'status'; status = 503; count = 4 }
            @{ route = 'detail'; action = 'status'; status = 503; every = 10 }
            @{ route = 'dump'; action = 'status'; status = 500; every = 40; message = 'Access is denied' }
        )

        $results = @(Invoke-FunctionAppDump -Session $session -Instance $fleet.instances -Path $folder -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

        $stats = Get-KuduEmulatorStats $emulator 'fleet'
        $stats.faultsByAction.status | Should -BeGreaterOrEqual 31 -Because '4 lists, 22 or more details and 5 dumps were answered with errors'
        $stats.statuses.'503' | Should -BeGreaterOrEqual 26
        $stats.maxConcurrentDumps | Should -Be 1 -Because 'Kudu writes one dump of a site at a time'
        ((Get-InstanceMaxima $stats) | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 8
        $stats.maxBusyInstances | Should -BeGreaterThan 1

        # Every one of the 200 app workers is either dumped or reported, once; the SCM workers never.
        $dumped = @($results | ForEach-Object { "$($_.Instance)/$($_.ProcessId)" })
        $failed = @($err | ForEach-Object { "$($_.TargetObject.Instance)/$($_.TargetObject.Id)" })
        $dumped.Count + $failed.Count | Should -Be 200
        @($dumped + $failed | Select-Object -Unique) | Should -HaveCount 200
        @($dumped + $failed | Where-Object { $scm -contains $_ }) | Should -BeNullOrEmpty
        $err.Count | Should -BeGreaterOrEqual 5
        @($err | Where-Object { $_.FullyQualifiedErrorId -like 'KuduDumpFailed,*' -and $_.Exception.Message -like '*Access is denied*' }) | Should -HaveCount 5

        # What was saved is what Kudu sent, and nothing else is left in the folder.
        Get-DumpFiles $folder | Should -HaveCount $results.Count
        foreach ($r in $results) {
            Get-Sha256 $r.Path | Should -Be (Get-KuduEmulatorExpectedDump $emulator 'fleet' $r.Instance $r.ProcessId 1).sha256
        }
    }

    It 'dumps back to back in the order of the instances given, one at a time' {
        $results = @(Invoke-FunctionAppDump -Session $session -Instance $fleet.instances -Path $folder -WarningAction SilentlyContinue -ThrottleLimit 3)

        $results | Should -HaveCount 200
        @($results.Instance | Select-Object -Unique) | Should -Be $fleet.instances -Because 'dumps keep the order of the instances'
        $stats = Get-KuduEmulatorStats $emulator 'fleet'
        $stats.maxConcurrentDumps | Should -Be 1
        $stats.dumpConflicts | Should -Be 0
        ((Get-InstanceMaxima $stats) | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 3
    }
}
