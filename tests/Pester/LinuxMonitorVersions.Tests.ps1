# The module against the Linux answers that real KuduLite and dotnet-monitor versions give: a GA dotnet-monitor
# behind KuduLite's path routes (empty 404 on detail and dump), the proxy's 502 forms, dotnet-monitor's own 401.
# Each error is checked where a user meets it: list, detail, dump and watch, by ErrorId and message.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $target = Start-LinuxTarget -Widgets 7
    $linux = @{ kind = 'app,linux'; sku = 'PremiumV3'; instances = @(@{ linuxTargets = @($target.pid) }) }
    $scenario = @{
        sites = @(
            $linux + @{ name = 'penguin-ga'; dotnetMonitor = 'enabled'; dotnetMonitorVersion = 'ga' }
            $linux + @{ name = 'penguin-slow'; dotnetMonitor = 'enabled'; proxyTimeoutMs = 300; dump = @{ writeDelayMs = 5000 } }
            $linux + @{ name = 'penguin-refused'; dotnetMonitor = 'unreachable' }
            $linux + @{ name = 'penguin-key'; dotnetMonitor = 'apiKey' }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $folder = New-TestFolder
    $watch = @{ Name = 'dotnet'; PrivateMemoryAbove = 100GB; Interval = 1; Timeout = 4 }

    function Assert-KuduError($Errors, [string] $ErrorId, [string[]] $Like, [string[]] $NotLike) {
        @($Errors) | Should -HaveCount 1
        $Errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        foreach ($l in $Like) { $Errors[0].Exception.Message | Should -BeLike $l }
        foreach ($n in $NotLike) { $Errors[0].Exception.Message | Should -Not -BeLike $n }
    }

    function Get-Requests([string] $Site) {
        # Request counts by route kind; a kind not asked for yet is absent from the stats, so 0 here.
        $requests = (Get-KuduEmulatorStats $emulator $Site).requests
        $counts = @{ list = 0; detail = 0; dump = 0 }
        foreach ($p in $requests.psobject.Properties) { $counts[$p.Name] = $p.Value }
        $counts
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
    if ($target) { Stop-LinuxTarget $target }
    if ($folder) { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
}

Describe 'A GA dotnet-monitor behind KuduLite''s path routes' {
    BeforeAll {
        $notServed = @('*lists this app''s processes*404 and an empty body*no longer serves*5.0.0-preview.6*cannot take this dump*Diagnose and Solve*dotnet-dump collect -p*')
        $neverPlan = @('*Consumption*', '*dedicated*')
    }

    It 'lists the processes, then names the route dotnet-monitor no longer serves on the first detail, and remembers it' {
        $s = New-EmulatorSession $emulator 'penguin-ga'
        try {
            $s.DotnetMonitorRoutes | Should -Be 'Unknown'
            $processes = @(Get-KuduProcess -Session $s -ErrorVariable listErr)
            $listErr | Should -HaveCount 0
            $processes | Should -HaveCount 1
            $processes[0].Id | Should -Be $target.pid

            $verbose = $processes | Get-KuduProcessDetail -ErrorVariable detailErr -ErrorAction SilentlyContinue -Verbose 4>&1
            Assert-KuduError $detailErr 'KuduDotnetMonitorRouteNotServed' ($notServed + "dotnet ($($target.pid)) on penguin-ga*") $neverPlan
            $detailErr[0].CategoryInfo.Category | Should -Be 'NotImplemented'
            $detailErr[0].TargetObject.Id | Should -Be $target.pid
            $s.DotnetMonitorRoutes | Should -Be 'NotServed'
            ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
                Should -BeLike '*DotnetMonitorRoutes is now NotServed*'

            # Later details and dumps fail at once, with the same words, and send nothing.
            $before = Get-Requests 'penguin-ga'
            Get-KuduProcessDetail -Session $s -Id $target.pid -ErrorVariable againErr -ErrorAction SilentlyContinue
            Save-KuduProcessDump -Session $s -Id $target.pid -Name dotnet -DumpType Mini -Path $folder -Confirm:$false -ErrorVariable dumpErr -ErrorAction SilentlyContinue
            $after = Get-Requests 'penguin-ga'

            Assert-KuduError $againErr 'KuduDotnetMonitorRouteNotServed' $notServed $neverPlan
            Assert-KuduError $dumpErr 'KuduDotnetMonitorRouteNotServed' $notServed $neverPlan
            $dumpErr[0].Exception.Message.Substring($dumpErr[0].Exception.Message.IndexOf(': ') + 2) |
                Should -Be $detailErr[0].Exception.Message.Substring($detailErr[0].Exception.Message.IndexOf(': ') + 2)
            $before.detail | Should -Be 1 -Because 'the first detail was asked once, and not retried'
            $after.detail | Should -Be $before.detail
            $after.dump | Should -Be $before.dump
            Get-DumpFiles $folder | Should -HaveCount 0
        }
        finally { $s | Remove-KuduSession -Confirm:$false }
    }

    It 'names it on a dump asked for first, never the Consumption plan text' {
        $s = New-EmulatorSession $emulator 'penguin-ga'
        try {
            Save-KuduProcessDump -Session $s -Id $target.pid -Name dotnet -DumpType Mini -Path $folder -Confirm:$false -ErrorVariable dumpErr -ErrorAction SilentlyContinue

            Assert-KuduError $dumpErr 'KuduDotnetMonitorRouteNotServed' $notServed $neverPlan
            $s.Platform | Should -Be 'Linux'
            $s.DotnetMonitorRoutes | Should -Be 'NotServed'
            Get-DumpFiles $folder | Should -HaveCount 0
        }
        finally { $s | Remove-KuduSession -Confirm:$false }
    }

    It 'stops a watch with one error, not one per interval' {
        $s = New-EmulatorSession $emulator 'penguin-ga'
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $firings = @(Watch-KuduProcess -Session $s @watch -ErrorVariable watchErr -ErrorAction SilentlyContinue)

            $firings | Should -HaveCount 0
            Assert-KuduError $watchErr 'KuduDotnetMonitorRouteNotServed' $notServed $neverPlan
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 3 -Because 'the first detail ends the watch, well before -Timeout'
        }
        finally { $s | Remove-KuduSession -Confirm:$false }
    }
}

Describe 'KuduLite''s proxy failing to reach dotnet-monitor (502)' {
    It 'reports a dump that outlasted the proxy''s timeout as KuduDumpTimedOut, with the smaller dump types' {
        $s = New-EmulatorSession $emulator 'penguin-slow'
        try {
            $detail = Get-KuduProcess -Session $s | Get-KuduProcessDetail
            Save-KuduProcessDump -Session $s -Id $target.pid -Name dotnet -DumpType Heap -Path $folder -Confirm:$false -ErrorVariable dumpErr -ErrorAction SilentlyContinue

            $detail.Id | Should -Be $target.pid
            $s.DotnetMonitorRoutes | Should -Be 'Served'
            Assert-KuduError $dumpErr 'KuduDumpTimedOut' @('*proxy gave up*The operation was canceled.*10 minutes*-DumpType Mini, or Triage*') @('*WEBSITE_USE_DOTNET_MONITOR*')
            $dumpErr[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            Get-DumpFiles $folder | Should -HaveCount 0
        }
        finally { $s | Remove-KuduSession -Confirm:$false }
    }

    It 'reports a refused connection as dotnet-monitor unreachable on list, detail and dump, and a watch rides it out' {
        $s = New-EmulatorSession $emulator 'penguin-refused'
        try {
            Get-KuduProcess -Session $s -ErrorVariable listErr -ErrorAction SilentlyContinue
            Get-KuduProcessDetail -Session $s -Id $target.pid -ErrorVariable detailErr -ErrorAction SilentlyContinue
            Save-KuduProcessDump -Session $s -Id $target.pid -Name dotnet -Path $folder -Confirm:$false -ErrorVariable dumpErr -ErrorAction SilentlyContinue
            $verbose = Watch-KuduProcess -Session $s @watch -Timeout 6 -ErrorVariable watchErr -WarningAction SilentlyContinue -Verbose 4>&1

            foreach ($err in $listErr, $detailErr, $dumpErr) {
                Assert-KuduError $err 'KuduDotnetMonitorUnreachable' @('*could not reach dotnet-monitor*(502: Connection refused)*try again in a minute*') @('*WEBSITE_USE_DOTNET_MONITOR*')
            }
            # A recycling container is transient: the watch skips those samples and ends at -Timeout, without error.
            $watchErr | Should -HaveCount 0
            ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
                Should -BeLike '*Skipped one sample*could not reach dotnet-monitor*'
        }
        finally { $s | Remove-KuduSession -Confirm:$false }
    }
}

Describe 'dotnet-monitor''s own authentication behind the proxy (401)' {
    It 'says dotnet-monitor may require its own authentication, not that the accepted credentials are bad, on <Call>' -ForEach @(
        @{ Call = 'list' }, @{ Call = 'detail' }, @{ Call = 'dump' }, @{ Call = 'watch' }
    ) {
        $s = New-EmulatorSession $emulator 'penguin-key'
        try {
            switch ($Call) {
                'list' { Get-KuduProcess -Session $s -ErrorVariable err -ErrorAction SilentlyContinue }
                # The first list tells the platform; it meets the 401 too, so the call after it is the one checked.
                'detail' { Get-KuduProcess -Session $s -ErrorAction SilentlyContinue; Get-KuduProcessDetail -Session $s -Id $target.pid -ErrorVariable err -ErrorAction SilentlyContinue }
                'dump' { Get-KuduProcess -Session $s -ErrorAction SilentlyContinue; Save-KuduProcessDump -Session $s -Id $target.pid -Name dotnet -Path $folder -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue }
                'watch' { $null = Watch-KuduProcess -Session $s @watch -ErrorVariable err -ErrorAction SilentlyContinue }
            }

            Assert-KuduError $err 'KuduDotnetMonitorAuthenticationRequired' @('*accepted this session''s credentials*401*dotnet-monitor itself may require its own authentication*Authorization header*') @('*refused the credentials*')
            $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            Get-DumpFiles $folder | Should -HaveCount 0
        }
        finally { $s | Remove-KuduSession -Confirm:$false }
    }
}
