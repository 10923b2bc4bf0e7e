# The module against Linux apps: KuduLite proxying the process API to dotnet-monitor, backed by real .NET
# processes (tests/LinuxTarget) whose dumps the runtime's own dump writer makes. Same cmdlets as on Windows.
BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $targetA = Start-LinuxTarget -Widgets 123
    $targetB = Start-LinuxTarget -Widgets 45
    $linux = @{ kind = 'app,linux'; sku = 'PremiumV3'; instances = @(@{ linuxTargets = @($targetA.pid) }) }
    $scenario = @{
        identity = @{ principalId = '5b9c3c0e-6a1f-4f7e-9f3a-0c2b7d1e4a11' }
        sites    = @(
            @{ name = 'penguin'; kind = 'app,linux'; sku = 'PremiumV3'; dotnetMonitor = 'enabled'
               instances = @(@{ linuxTargets = @($targetA.pid) }, @{ linuxTargets = @($targetB.pid) }) }
            $linux + @{ name = 'penguin-off'; dotnetMonitor = 'disabled' }
            $linux + @{ name = 'penguin-notrunning'; dotnetMonitor = 'notRunning' }
            $linux + @{ name = 'penguin-unreachable'; dotnetMonitor = 'unreachable' }
            @{ name = 'penguin-consumption'; kind = 'functionapp,linux'; sku = 'Dynamic'; hasScm = $true; dotnetMonitor = 'enabled' }
            @{ name = 'contoso'; instanceCount = 1; appWorkers = 1; extraProcesses = @() }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $site = Get-TestSite $emulator 'penguin'
    $i0, $i1 = $site.instances
    $folder = New-TestFolder
    $session = New-EmulatorSession $emulator 'penguin'

    function Start-OtherClientDump {
        # Another client's dump holds instance 0's dotnet-monitor; this module's own gate cannot see it.
        $handler = [System.Net.Http.SocketsHttpHandler]::new(); $handler.UseCookies = $false
        $http = [System.Net.Http.HttpClient]::new($handler)
        $request = [System.Net.Http.HttpRequestMessage]::new('GET', "$($site.scmUrl)/api/processes/$($targetA.pid)/dump?type=Mini")
        $request.Headers.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Basic', [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($site.userName):$($site.password)")))
        $request.Headers.Add('Cookie', "ARRAffinity=$i0")
        $running = $http.SendAsync($request)
        Start-Sleep -Milliseconds 500
        $running
    }

    function Get-FileHead([string] $Path) {
        $stream = [IO.File]::OpenRead($Path)
        try { $head = [byte[]]::new(4); $null = $stream.Read($head, 0, 4); ($head | ForEach-Object { $_.ToString('X2') }) -join ' ' }
        finally { $stream.Dispose() }
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
    foreach ($t in @($targetA, $targetB)) { if ($t) { Stop-LinuxTarget $t } }
    if ($folder) { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
}

Describe 'Linux apps: the same cmdlets over KuduLite and dotnet-monitor' {
    It 'finds out the platform from the first process list and lists the .NET processes of an instance' {
        $fresh = New-EmulatorSession $emulator 'penguin'
        $fresh.Platform | Should -Be 'Unknown'

        $processes = @(Get-KuduProcess -Session $fresh -Instance $i0)

        $fresh.Platform | Should -Be 'Linux'
        $processes | Should -HaveCount 1
        $processes[0].Id | Should -Be $targetA.pid
        $processes[0].Name | Should -Be 'dotnet'
        $processes[0].Platform | Should -Be 'Linux'
        $processes[0].Instance | Should -Be $i0
        (Get-KuduEmulatorStats $emulator 'penguin').requests.list | Should -Be 1 -Because 'the list itself tells the platform'
        $fresh | Remove-KuduSession -Confirm:$false
    }

    It 'reads the detail dotnet-monitor gives: command line, operating system, architecture' {
        $detail = Get-KuduProcess -Session $session -Instance $i1 | Get-KuduProcessDetail

        $detail.Id | Should -Be $targetB.pid
        $detail.CommandLine | Should -BeLike '*LinuxTarget.dll*'
        $detail.OperatingSystem | Should -Be 'Linux'
        $detail.ProcessArchitecture | Should -BeIn @('x64', 'arm64')
        $detail.Platform | Should -Be 'Linux'
        $detail.IsScmSite | Should -BeFalse
    }

    It 'saves a real Heap core (type=WithHeap, never dumpType) where dotnet-dump finds the marker' {
        Reset-KuduEmulator $emulator
        $result = Get-KuduProcess -Session $session -Instance $i0 | Save-KuduProcessDump -DumpType Heap -Path $folder -Confirm:$false

        $result.Platform | Should -Be 'Linux'
        $result.SignatureValid | Should -BeTrue
        $result.Path | Should -Match "penguin_$($i0.Substring(0, 6))_dotnet_$($targetA.pid)_\d{8}T\d{6}\.\d{3}Z_heap\.dmp$"
        Get-FileHead $result.Path | Should -Be '7F 45 4C 46'
        (Get-Item $result.Path).Length | Should -Be $result.Length
        $out = Invoke-DotnetDumpAnalyze $result.Path 'dumpheap -stat -type KuduMarker.'
        $widgets = @($out | Where-Object { $_ -match '\sKuduMarker\.LeakedWidget$' })
        $widgets | Should -HaveCount 1
        $widgets[0] | Should -Match "^\s*[0-9a-f]+\s+$($targetA.widgets)\s"
        $record = @((Get-KuduEmulatorStats $emulator 'penguin').dumps)[-1]
        $record.query | Should -Be '?type=WithHeap'
        $record.type | Should -Be 'WithHeap'
        $record.bytesSent | Should -Be $result.Length
        @(Get-DumpFiles $folder | Where-Object Name -like '*.partial') | Should -HaveCount 0
    }

    It 'saves a Mini core, which has no managed heap for dotnet-dump to walk' {
        $result = Save-KuduProcessDump -Session $session -Instance $i1 -Id $targetB.pid -DumpType Mini -Path $folder -Confirm:$false

        $result.ProcessName | Should -Be 'dotnet' -Because 'the name is looked up when not given'
        Get-FileHead $result.Path | Should -Be '7F 45 4C 46'
        @((Get-KuduEmulatorStats $emulator 'penguin').dumps)[-1].query | Should -Be '?type=Mini'
        # dotnet-dump must read the core (a failure throws): then its heap walk finds no widget in a Mini core.
        $walk = @(Invoke-DotnetDumpAnalyze $result.Path 'dumpheap -stat -type KuduMarker.')
        $walk[0] | Should -BeLike 'Loading core dump: *'
        @($walk | Where-Object { $_ -match '\sKuduMarker\.LeakedWidget$' }) | Should -HaveCount 0
    }

    It 'warns that -Compress does not apply on Linux, and saves the core as it comes' {
        $result = Save-KuduProcessDump -Session $session -Instance $i1 -Id $targetB.pid -DumpType Mini -Compress -Path $folder -Confirm:$false -WarningVariable warn 3>$null

        "$warn" | Should -BeLike '*KuduLite sends dotnet-monitor''s core file as it is (it ignores format=zip): this dump comes uncompressed.'
        Get-FileHead $result.Path | Should -Be '7F 45 4C 46'
        $result.WireBytes | Should -Be $result.Length
        $result.Extras | Should -HaveCount 0
        @((Get-KuduEmulatorStats $emulator 'penguin').dumps)[-1].query | Should -Be '?type=Mini'
    }

    It 'analyses each Linux dump it saves with Invoke-FunctionAppDump -Analyze, beside the dump' {
        $runbook = New-TestFolder
        try {
            $out = @(Invoke-FunctionAppDump -Session $session -Instance $i0 -DumpType Heap -Path $runbook -Analyze -Confirm:$false)

            $dumps = @($out | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] })
            $analyses = @($out | Where-Object { $_ -is [KuduDiagnostics.KuduDumpAnalysis] })
            $dumps | Should -HaveCount 1
            $analyses | Should -HaveCount 1
            $analyses[0].HeapInDump | Should -BeTrue
            $analyses[0].ProcessId | Should -Be $targetA.pid
            $analyses[0].Instance | Should -Be $i0
            $analyses[0].TopTypes[0].Size | Should -BeGreaterOrEqual $analyses[0].TopTypes[-1].Size
            $json = Get-Content -Raw ([IO.Path]::ChangeExtension($dumps[0].Path, '.analysis.json')) | ConvertFrom-Json
            $json.HeapInDump | Should -BeTrue
            $json.ObjectCount | Should -Be $analyses[0].ObjectCount
            $full = Get-KuduDumpAnalysis -Path $dumps[0].Path -Top 500
            ($full.TopTypes | Where-Object Type -eq 'KuduMarker.LeakedWidget').Count | Should -Be $targetA.widgets
        }
        finally { Remove-Item -Recurse -Force $runbook -ErrorAction Ignore }
    }

    It 'refuses Windows-only options on Linux with a clear error, before anything is asked' {
        $before = @((Get-KuduEmulatorStats $emulator 'penguin').dumps).Count
        Save-KuduProcessDump -Session $session -Instance $i0 -Id $targetA.pid -DumpTypeMask 0x41A25 -Path $folder -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpTypeNotSupported,*'
        $err[0].Exception.Message | Should -BeLike '*-DumpType Mini, Heap, Full or Triage*'
        @((Get-KuduEmulatorStats $emulator 'penguin').dumps).Count | Should -Be $before
    }

    It 'asks a busy dotnet-monitor again (429 froze nothing) and saves the dump once the other one is done' {
        Set-KuduEmulatorSetting $emulator 'penguin' @{ dump = @{ writeDelayMs = 1500 } }
        $other = New-EmulatorSession $emulator 'penguin'
        $busyFolder = New-TestFolder
        try {
            $running = Start-OtherClientDump
            $out = @(Save-KuduProcessDump -Session $other -Instance $i0 -Id $targetA.pid -Name dotnet -Path $busyFolder -Confirm:$false -Verbose 4>&1)
            $null = $running.GetAwaiter().GetResult()

            $result = @($out | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] })
            $result | Should -HaveCount 1
            (Get-Item -LiteralPath $result[0].Path).Length | Should -Be $result[0].Length
            ($out -join "`n") | Should -BeLike "*dotnet ($($targetA.pid)) on penguin instance *: dotnet-monitor on * is busy (another dump, or the end of the one before) and refused before freezing the process; asking again in 1 s (1 of 3).*"
        }
        finally {
            Set-KuduEmulatorSetting $emulator 'penguin' @{ dump = @{ writeDelayMs = 0 } }
            $other | Remove-KuduSession -Confirm:$false
            Remove-Item -Recurse -Force $busyFolder -ErrorAction Ignore
        }
    }

    It 'reports a busy dotnet-monitor (429: one dump at a time) and leaves nothing behind' {
        Set-KuduEmulatorSetting $emulator 'penguin' @{ dump = @{ writeDelayMs = 10000 } }
        $conflictsBefore = (Get-KuduEmulatorStats $emulator 'penguin').dumpConflicts
        $other = New-EmulatorSession $emulator 'penguin'
        $busyFolder = New-TestFolder
        try {
            $running = Start-OtherClientDump
            Save-KuduProcessDump -Session $other -Instance $i0 -Id $targetA.pid -Name dotnet -Path $busyFolder -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduDotnetMonitorBusy,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $err[0].Exception.Message | Should -BeLike '*one dump at a time*'
            (Get-KuduEmulatorStats $emulator 'penguin').dumpConflicts - $conflictsBefore | Should -Be 4 -Because 'asked once, then three more times'
            $err[0].TargetObject.Id | Should -Be $targetA.pid
            Get-DumpFiles $busyFolder | Should -HaveCount 0
            $null = $running.GetAwaiter().GetResult()
        }
        finally {
            Set-KuduEmulatorSetting $emulator 'penguin' @{ dump = @{ writeDelayMs = 0 } }
            $other | Remove-KuduSession -Confirm:$false
            Remove-Item -Recurse -Force $busyFolder -ErrorAction Ignore
        }
    }

    It 'names the fix when <Case>' -ForEach @(
        @{ Case = 'dotnet-monitor is not enabled (400 "Not supported on Linux")'; Site = 'penguin-off'; ErrorId = 'KuduNotSupportedOnLinux'; Message = '*WEBSITE_USE_DOTNET_MONITOR=true*restart*' }
        @{ Case = 'dotnet-monitor is not running (404)'; Site = 'penguin-notrunning'; ErrorId = 'KuduDotnetMonitorNotRunning'; Message = '*not running*Restart the app*' }
        @{ Case = 'dotnet-monitor cannot be reached (502)'; Site = 'penguin-unreachable'; ErrorId = 'KuduDotnetMonitorUnreachable'; Message = '*could not reach dotnet-monitor*' }
        @{ Case = 'the app is on Linux Consumption (404, empty)'; Site = 'penguin-consumption'; ErrorId = 'KuduProcessApiUnavailable'; Message = '*Consumption*Application Insights*' }
    ) {
        $s = New-EmulatorSession $emulator $Site
        $errFolder = New-TestFolder
        try {
            Get-KuduProcess -Session $s -ErrorVariable listErr -ErrorAction SilentlyContinue
            Save-KuduProcessDump -Session $s -Id 1234 -Name dotnet -Path $errFolder -Confirm:$false -ErrorVariable dumpErr -ErrorAction SilentlyContinue

            foreach ($err in @($listErr, $dumpErr)) {
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
                $err[0].Exception.Message | Should -BeLike $Message
                $err[0].Exception.Message | Should -Not -BeLike '*KuduBadRequest*'
            }
            $s.Platform | Should -Be 'Linux'
            Get-DumpFiles $errFolder | Should -HaveCount 0
        }
        finally {
            $s | Remove-KuduSession -Confirm:$false
            Remove-Item -Recurse -Force $errFolder -ErrorAction Ignore
        }
    }

    It 'refuses a Triage dump on Windows with a clear error' {
        $windows = New-EmulatorSession $emulator 'contoso'
        try {
            Get-KuduProcess -Session $windows -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 |
                Save-KuduProcessDump -DumpType Triage -Path $folder -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

            $windows.Platform | Should -Be 'Windows'
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpTypeNotSupported,*'
            $err[0].Exception.Message | Should -BeLike '*Triage*Linux*'
            (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0
        }
        finally { $windows | Remove-KuduSession -Confirm:$false }
    }
}

Describe 'A Linux site through Resource Manager, in a runbook' -Skip:(-not $haveAzurite) {
    It 'dumps the .NET worker of every instance into blob storage with a managed identity' {
        Reset-KuduEmulator $emulator
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
        $container = 'linux-' + [guid]::NewGuid().ToString('n').Substring(0, 10)
        New-TestContainer $azurite $container
        # A fresh pwsh, as a runbook is: MSAL keeps managed-identity tokens in a process-wide cache, and another
        # test file's emulator signs its tokens differently.
        $script = @"
`$ErrorActionPreference = 'Stop'
`$env:IDENTITY_ENDPOINT = '$($emulator.identityEndpoint)'
`$env:IDENTITY_HEADER = '$($emulator.identityHeader)'
Import-Module '$ModuleManifest'
Invoke-FunctionAppDump -ResourceId '$($site.resourceId)' -UseAzureIdentity -ResourceManagerUrl '$($emulator.armUrl)' -AllInstances ``
    -ConnectionString '$($azurite.ConnectionString)' -Container '$container' -DumpType Mini -Confirm:`$false |
    Select-Object ProcessId, ProcessName, Instance, BlobName, Length, Platform | ConvertTo-Json -Compress -AsArray
"@
        $output = Invoke-Pwsh -NoProfile -NonInteractive -Command $script 2>&1
        $json = $output | Where-Object { "$_".StartsWith('[') } | Select-Object -Last 1
        $json | Should -Not -BeNullOrEmpty -Because ($output -join "`n")
        $results = @($json | ConvertFrom-Json)

        $results | Should -HaveCount 2
        @($results.ProcessId | Sort-Object) | Should -Be @(@($targetA.pid, $targetB.pid) | Sort-Object)
        $results.ProcessName | Should -Be @('dotnet', 'dotnet')
        @($results.Instance | Sort-Object) | Should -Be @(@($i0, $i1) | Sort-Object)
        foreach ($r in $results) {
            $file = Join-Path $folder "blob-$($r.ProcessId).dmp"
            $blob = Get-TestBlob $azurite $container $r.BlobName $file
            $blob.Length | Should -Be $r.Length
            Get-FileHead $file | Should -Be '7F 45 4C 46'
            $blob.Metadata['platform'] | Should -Be 'Linux'
            $blob.Metadata.ContainsKey('dumptypemask') | Should -BeFalse
        }
        $stats = Get-KuduEmulatorStats $emulator 'penguin'
        @($stats.dumps) | Should -HaveCount 2
        @($stats.dumps | Where-Object { $_.query -ne '?type=Mini' }) | Should -HaveCount 0
        $stats.maxConcurrentDumps | Should -Be 1
    }
}
