BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $scenario = @{
        sites = @(
            @{ name = 'contoso'; instanceCount = 1; appWorkers = 2; extraProcesses = @()
               dump = @{ sizes = @{ '1' = 1048576; '2' = 3145728; default = 2097152 }; writeDelayMs = 200 } }
            @{ name = 'fabrikam'; instanceCount = 1; appWorkers = 1; extraProcesses = @()
               dump = @{ sizes = @{ default = 1048576 }; writeDelayMs = 200 } }
            @{ name = 'freebie'; sku = 'Free'; instanceCount = 1; appWorkers = 1; extraProcesses = @() }
            @{
                name = 'hostile'; dump = @{ sizes = @{ default = 4096 } }
                instances = @(@{ processes = @(
                    @{ id = 101; name = '..\..\escape' }
                    @{ id = 102; name = 'a:b' }
                    @{ id = 103; name = '../../../etc/passwd' }
                    @{ id = 104; name = 'CON' }
                ) })
            }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $contoso = Get-TestSite $emulator 'contoso'
    $session = New-EmulatorSession $emulator 'contoso'

    function New-DumpPowerShell([string] $Folder) {
        # A second runspace runs the dump, so the test can read its progress stream or stop it like Ctrl+C does.
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Manifest, $Session, $Folder)
            Import-Module $Manifest
            Get-KuduProcess -Session $Session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 | Save-KuduProcessDump -Path $Folder
        }).AddArgument($ModuleManifest).AddArgument($session).AddArgument($Folder)
        $ps
    }

    function Assert-DumpMatchesEmulator {
        param($Result, [string] $Site = 'contoso', [int] $DumpType = 1)
        $expected = Get-KuduEmulatorExpectedDump $emulator $Site $Result.Instance $Result.ProcessId $DumpType
        (Get-Item -LiteralPath $Result.Path).Length | Should -Be $expected.length
        Get-Sha256 $Result.Path | Should -Be $expected.sha256
        $Result.Length | Should -Be $expected.length
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Save-KuduProcessDump to disk' {
    BeforeEach {
        Reset-KuduEmulator $emulator
        $folder = New-TestFolder
    }

    It 'writes the exact bytes Kudu sent, in a date folder, readable by the owner only' {
        $result = Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 | Save-KuduProcessDump -Path $folder

        $result | Should -BeOfType ([KuduDiagnostics.KuduDumpResult])
        Assert-DumpMatchesEmulator $result
        $result.SignatureValid | Should -BeTrue
        $result.DumpType | Should -Be 'Mini'
        $result.Path | Should -BeLike (Join-Path $folder ([datetime]::UtcNow.ToString('yyyy-MM-dd')) '*')
        [IO.Path]::GetFileName($result.Path) | Should -Match '^contoso_[0-9a-f]{6}_w3wp_\d+_\d{8}T\d{6}\.\d{3}Z_mini\.dmp$'
        $result.ServerFileName | Should -Match '^w3wp-[0-9a-f]{6}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.dmp$'
        $result.CaptureTimeUtc.Kind | Should -Be 'Utc'
        $result.ThroughputMBps | Should -BeGreaterThan 0
        [int](Get-Item -LiteralPath $result.Path).UnixFileMode | Should -Be 384 -Because 'mode 0600: only the owner may read a dump'
        Get-DumpFiles $folder | Should -HaveCount 1
    }

    It 'saves every piped process and never runs two dumps of one site at once' {
        $processes = @(Get-KuduProcess -Session $session -Name w3wp)
        $processes | Should -HaveCount 3

        $results = @($processes | Save-KuduProcessDump -Path $folder -ThrottleLimit 8 -IncludeScmSite)

        $results | Should -HaveCount 3
        $results | ForEach-Object { Assert-DumpMatchesEmulator $_ }
        $stats = Get-KuduEmulatorStats $emulator 'contoso'
        $stats.dumpRequests | Should -Be 3
        $stats.dumpsCompleted | Should -Be 3
        $stats.dumpConflicts | Should -Be 0
        $stats.maxConcurrentDumps | Should -Be 1
    }

    It 'takes turns even across two sessions to the same site' {
        $other = New-EmulatorSession $emulator 'contoso'
        $processes = @(Get-KuduProcess -Session $session -Name w3wp) + @(Get-KuduProcess -Session $other -Name w3wp)

        $results = @($processes | Save-KuduProcessDump -Path $folder -ThrottleLimit 8 -Force -IncludeScmSite)

        $results.Count | Should -Be 6
        (Get-KuduEmulatorStats $emulator 'contoso').maxConcurrentDumps | Should -Be 1
        $other | Remove-KuduSession -Confirm:$false
    }

    It 'dumps different sites <What>' -ForEach @(
        @{ What = 'in parallel'; Arguments = @{}; Overlap = $true }
        @{ What = 'one after the other with -OverallThrottleLimit 1'; Arguments = @{ OverallThrottleLimit = 1 }; Overlap = $false }
    ) {
        $fabrikam = New-EmulatorSession $emulator 'fabrikam'
        Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ writeDelayMs = 1500 } }
        Set-KuduEmulatorSetting $emulator 'fabrikam' @{ dump = @{ writeDelayMs = 1500 } }
        try {
            $processes = @(Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1) + @(Get-KuduProcess -Session $fabrikam -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1)
            $results = @($processes | Save-KuduProcessDump -Path $folder -Force @Arguments)

            $results | Should -HaveCount 2
            $a = @((Get-KuduEmulatorStats $emulator 'contoso').dumps)[-1]
            $b = @((Get-KuduEmulatorStats $emulator 'fabrikam').dumps)[-1]
            $window = "contoso $($a.startedUtc)-$($a.endedUtc), fabrikam $($b.startedUtc)-$($b.endedUtc)"
            if ($Overlap) {
                # The two dumps overlapped in time: each started before the other ended.
                ([datetime]$a.startedUtc) | Should -BeLessThan ([datetime]$b.endedUtc) -Because $window
                ([datetime]$b.startedUtc) | Should -BeLessThan ([datetime]$a.endedUtc) -Because $window
            }
            else {
                # One request in flight in all: one dump was asked for only after the other had ended.
                $apart = ([datetime]$b.startedUtc -ge [datetime]$a.endedUtc) -or ([datetime]$a.startedUtc -ge [datetime]$b.endedUtc)
                $apart | Should -BeTrue -Because $window
            }
        }
        finally {
            Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ writeDelayMs = 200 } }
            Set-KuduEmulatorSetting $emulator 'fabrikam' @{ dump = @{ writeDelayMs = 200 } }
            $fabrikam | Remove-KuduSession -Confirm:$false
        }
    }

    It 'asks Kudu for dumpType <Mask> for <Name>' -ForEach @(
        @{ Name = '-DumpType Mini'; Arguments = @{ DumpType = 'Mini' }; Mask = 1; Label = 'mini' }
        @{ Name = '-DumpType Full'; Arguments = @{ DumpType = 'Full' }; Mask = 2; Label = 'full' }
        @{ Name = '-DumpType Heap'; Arguments = @{ DumpType = 'Heap' }; Mask = 0x41A25; Label = 'heap' }
        @{ Name = '-DumpTypeMask 0x1234'; Arguments = @{ DumpTypeMask = 0x1234 }; Mask = 0x1234; Label = 'mask0x1234' }
    ) {
        $result = Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 | Save-KuduProcessDump -Path $folder @Arguments

        (Get-KuduEmulatorStats $emulator 'contoso').dumps[0].dumpType | Should -Be $Mask
        $result.DumpTypeMask | Should -Be $Mask
        $result.Path | Should -BeLike "*_$Label.dmp"
        Assert-DumpMatchesEmulator $result -DumpType $Mask
    }

    It 'saves Kudu''s zip format, which starts with PK and holds the dump' {
        $result = Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1 | Save-KuduProcessDump -Path $folder -Format Zip

        $result.Path | Should -BeLike '*.zip'
        $result.SignatureValid | Should -BeTrue
        $zip = [IO.Compression.ZipFile]::OpenRead($result.Path)
        try {
            $zip.Entries.Name | Should -Contain 'minidump.dmp'
            $entry = $zip.GetEntry('minidump.dmp')
            $sha = [Security.Cryptography.SHA256]::Create()
            $stream = $entry.Open()
            try { $hash = [Convert]::ToHexString($sha.ComputeHash($stream)).ToLowerInvariant() } finally { $stream.Dispose() }
        }
        finally { $zip.Dispose() }
        $hash | Should -Be (Get-KuduEmulatorExpectedDump $emulator 'contoso' $result.Instance $result.ProcessId 1).sha256
    }

    It 'takes an -Id directly and looks the process name up' {
        $scm = Get-KuduProcess -Session $session -Id 0
        $result = Save-KuduProcessDump -Session $session -Id $scm.Id -Instance $scm.Instance -Path $folder -IncludeScmSite

        $result.ProcessName | Should -Be 'w3wp'
        Assert-DumpMatchesEmulator $result
    }

    It 'shows progress: the waiting phase while Kudu writes, then bytes, total and rate' {
        Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ sizes = @{ '1' = 24MB }; paceBytesPerSecond = 16MB; writeDelayMs = 1500 } }
        $ps = New-DumpPowerShell $folder
        try {
            $output = $ps.Invoke()

            $output | Should -HaveCount 1
            $status = @($ps.Streams.Progress | ForEach-Object StatusDescription)
            # Issue 13: the elapsed time leads, so an 80-column console that cuts the line still shows it.
            $status | Where-Object { $_ -like '00:00:0? Kudu writing the dump; process frozen*' } | Should -Not -BeNullOrEmpty
            $status | Where-Object { $_ -match '^\d\d:\d\d:\d\d \d+\.\d MiB of 24\.0 MiB at \d+\.\d MB/s' } | Should -Not -BeNullOrEmpty
            $ps.Streams.Progress | ForEach-Object { ($_.Activity.Length + 11) | Should -BeLessOrEqual 80 -Because "'$($_.Activity) [' then hh:mm:ss must fit 80 columns" }
            @($ps.Streams.Progress | Where-Object { $_.PercentComplete -gt 0 -and $_.PercentComplete -lt 100 }) | Should -Not -BeNullOrEmpty
            $ps.Streams.Progress[-1].RecordType | Should -Be 'Completed'
        }
        finally {
            $ps.Dispose()
            Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ sizes = @{ '1' = 1048576 }; paceBytesPerSecond = 0; writeDelayMs = 200 } }
        }
    }

    It 'dumps nothing with -WhatIf' {
        $results = Get-KuduProcess -Session $session -Name w3wp | Save-KuduProcessDump -Path $folder -WhatIf

        $results | Should -BeNullOrEmpty
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0
        Get-DumpFiles $folder | Should -HaveCount 0
    }

    It 'keeps an existing file without -Force and replaces it with -Force' {
        $process = Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1
        # Names carry the capture millisecond: occupy every name of a window that starts once they are all there.
        $start = [datetime]::UtcNow.AddSeconds(12)
        $prefix = 'contoso_{0}_w3wp_{1}_' -f $process.Instance.Substring(0, 6), $process.Id
        $decoys = [Collections.Generic.List[string]]::new()
        for ($ms = 0; $ms -le 2000; $ms++) {
            $t = $start.AddMilliseconds($ms)
            $dir = [IO.Path]::Combine($folder, $t.ToString('yyyy-MM-dd'))
            [void][IO.Directory]::CreateDirectory($dir)
            $path = [IO.Path]::Combine($dir, $prefix + $t.ToString("yyyyMMdd'T'HHmmss'.'fff'Z'") + '_mini.dmp')
            [IO.File]::WriteAllText($path, 'KEEP ME')
            $decoys.Add($path)
        }
        $wait = $start.AddMilliseconds(100) - [datetime]::UtcNow
        $wait.TotalSeconds | Should -BeGreaterThan 0 -Because 'the decoys must be there before their window starts'
        Start-Sleep -Milliseconds $wait.TotalMilliseconds

        $result = $process | Save-KuduProcessDump -Path $folder -ErrorVariable err -ErrorAction SilentlyContinue
        # Within the same window, while the names are still occupied.
        $dumpsBeforeForce = (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests
        $forced = $process | Save-KuduProcessDump -Path $folder -Force

        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpTargetExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].Exception.Message | Should -BeLike '*-Force*'
        $decoys | Where-Object { $_ -ne $forced.Path } | ForEach-Object { Get-Content -LiteralPath $_ | Should -Be 'KEEP ME' }
        $dumpsBeforeForce | Should -Be 0
        @(Get-DumpFiles $folder | Where-Object Name -like '*.partial') | Should -HaveCount 0

        $forced.Path | Should -BeIn $decoys
        Assert-DumpMatchesEmulator $forced
    }

    It 'keeps hostile process names from the server inside -Path' {
        $hostile = New-EmulatorSession $emulator 'hostile'
        $results = @(Get-KuduProcess -Session $hostile | Save-KuduProcessDump -Path $folder)

        $results | Should -HaveCount 4
        $root = (Resolve-Path $folder).Path
        foreach ($r in $results) {
            [IO.Path]::GetFullPath($r.Path) | Should -BeLike "$root$([IO.Path]::DirectorySeparatorChar)*"
            [IO.Path]::GetFileName($r.Path) | Should -Match '^[A-Za-z0-9_.-]+$'
            Test-Path -LiteralPath $r.Path | Should -BeTrue
        }
        Get-DumpFiles $folder | Should -HaveCount 4
        @(Get-ChildItem -LiteralPath $folder -Directory) | Should -HaveCount 1
        $hostile | Remove-KuduSession -Confirm:$false
    }
}

Describe 'Save-KuduProcessDump when things go wrong' {
    BeforeAll {
        function Start-ElsewhereDump($Process) {
            # Another client (the portal, another machine) asking Kudu for a dump of the same site: the returned
            # task ends when that dump has been sent; the file is held from its start.
            $site = Get-TestSite $emulator 'contoso'
            $client = [System.Net.Http.HttpClient]::new()
            $pair = '{0}:{1}' -f $site.userName, $site.password
            $client.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Basic', [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes($pair)))
            $task = $client.GetAsync("$($site.scmUrl.TrimEnd('/'))/api/processes/$($Process.Id)/dump?dumpType=1")
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (-not (@((Get-KuduEmulatorStats $emulator 'contoso').dumps).Count) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $task
        }
    }

    BeforeEach {
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'contoso' @()
        $folder = New-TestFolder
        $processes = @(Get-KuduProcess -Session $session -Name w3wp)
        $victim = $processes[1]
    }

    AfterAll { Set-KuduEmulatorFault $emulator 'contoso' @() }

    It 'reports <Case> as <ErrorId>, leaves nothing behind and still saves the others' -ForEach @(
        @{ Case = 'a server failure (500)'; ErrorId = 'KuduDumpFailed'; Category = 'InvalidResult'; Message = '*Only part of a ReadProcessMemory*'
           Fault = @{ route = 'dump'; action = 'status'; status = 500; message = 'Only part of a ReadProcessMemory or WriteProcessMemory request was completed' } }
        @{ Case = 'the front end timing out (500)'; ErrorId = 'KuduDumpTimedOut'; Category = 'OperationTimeout'; Message = '*230 seconds*Mini*'
           Fault = @{ route = 'dump'; action = 'timeout'; delayMs = 300 } }
        @{ Case = 'the front end giving up (502)'; ErrorId = 'KuduDumpTimedOut'; Category = 'OperationTimeout'; Message = '*longer than the App Service front end allows*'
           Fault = @{ route = 'dump'; action = 'badGateway'; delayMs = 300 } }
        @{ Case = 'a connection dropped mid-stream'; ErrorId = 'KuduDumpConnectionDropped'; Category = 'ConnectionError'; Message = '*dropped after*incomplete*'
           Fault = @{ route = 'dump'; action = 'drop'; afterBytes = 300000 } }
    ) {
        $Fault.pid = $victim.Id
        Set-KuduEmulatorFault $emulator 'contoso' @($Fault)

        $results = @($processes | Save-KuduProcessDump -Path $folder -IncludeScmSite -ErrorVariable err -ErrorAction SilentlyContinue)

        $results | Should -HaveCount 2 -Because (($err | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" }) -join '; ')
        $results.ProcessId | Should -Not -Contain $victim.Id
        $results | ForEach-Object { Assert-DumpMatchesEmulator $_ }
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be "$ErrorId,KuduDiagnostics.Commands.SaveKuduProcessDumpCommand"
        $err[0].CategoryInfo.Category | Should -Be $Category
        $err[0].Exception.Message | Should -BeLike $Message
        $err[0].Exception.Message | Should -BeLike "w3wp ($($victim.Id)) on contoso instance $($victim.Instance.Substring(0, 6)): *"
        $err[0].TargetObject.Id | Should -Be $victim.Id
        $files = Get-DumpFiles $folder
        $files | Should -HaveCount 2
        @($files | Where-Object Name -like '*.partial') | Should -HaveCount 0
        @($files | Where-Object Name -like "*_$($victim.Id)_*") | Should -HaveCount 0
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 3 -Because 'a dump is never retried'
    }

    It 'asks again while a dump started elsewhere holds the site''s dump file, and says so with -Verbose' {
        # Kudu opens its one dump file before it freezes a process: "in use" froze nothing and is asked again.
        Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ writeDelayMs = 1500 } }
        $elsewhere = Start-ElsewhereDump $processes[0]
        try {
            $out = @(Save-KuduProcessDump -Session $session -Id $victim.Id -Path $folder -Verbose 4>&1)
        }
        finally { $elsewhere.Wait(30000) | Out-Null }

        $result = @($out | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] })
        $verbose = ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"
        $result | Should -HaveCount 1
        Assert-DumpMatchesEmulator $result[0]
        $verbose | Should -BeLike "*w3wp ($($victim.Id)) on contoso instance *: 127.0.0.1:* has its dump file open (another dump, or the end of the one before) and refused before freezing the process; asking again in 1 s (1 of 3).*"
        $elsewhere.Result.StatusCode | Should -Be 200
        (Get-KuduEmulatorStats $emulator 'contoso').dumpConflicts | Should -BeGreaterOrEqual 1
    }

    It 'reports KuduDumpInProgress, with nothing left, when the dump file stays in use past three more asks' {
        Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ writeDelayMs = 9000 } }
        $elsewhere = Start-ElsewhereDump $processes[0]
        try {
            $out = @(Save-KuduProcessDump -Session $session -Id $victim.Id -Path $folder -Verbose -ErrorVariable err -ErrorAction SilentlyContinue 4>&1)
        }
        finally { $elsewhere.Wait(30000) | Out-Null }

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduDumpInProgress,KuduDiagnostics.Commands.SaveKuduProcessDumpCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $err[0].Exception.Message | Should -BeLike "w3wp ($($victim.Id)) on contoso instance *: Another dump is being written on 127.0.0.1:* (Kudu writes every dump of a site to one file). Wait for it to finish, then try again. Kudu said: The process cannot access the file*"
        @($out | Where-Object { "$_" -like '*asking again in*' }) | Should -HaveCount 3
        $stats = Get-KuduEmulatorStats $emulator 'contoso'
        $stats.dumpConflicts | Should -Be 4 -Because 'asked once, then three more times'
        Get-DumpFiles $folder | Should -HaveCount 0
        @(Get-ChildItem -LiteralPath $folder -Recurse -File) | Should -HaveCount 0
    }

    It 'reports a process that exited between listing and dumping' {
        Invoke-RestMethod -Method Post -Uri "$($emulator.url)/_emulator/sites/contoso/instances/$($victim.Instance)/processes/$($victim.Id)/kill" | Out-Null

        $results = @($processes | Save-KuduProcessDump -Path $folder -IncludeScmSite -ErrorVariable err -ErrorAction SilentlyContinue)

        $results | Should -HaveCount 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduProcessNotFound,*'
        # Issue 13: the message starts with process, id, site and instance, and names the instance that answered.
        $short = $victim.Instance.Substring(0, 6)
        $err[0].Exception.Message | Should -BeLike "w3wp ($($victim.Id)) on contoso instance ${short}: Process with an Id of $($victim.Id) is not running. Instance $short answered*-AllInstances*"
        Get-DumpFiles $folder | Should -HaveCount 2
    }

    It 'explains that the Free tier refuses full dumps' {
        $free = New-EmulatorSession $emulator 'freebie'
        Get-KuduProcess -Session $free -Name w3wp | Save-KuduProcessDump -Path $folder -DumpType Full -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -Not -BeNullOrEmpty
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'KuduFullDumpNotSupported,*' }
        $err[0].Exception.Message | Should -BeLike '*Site sku (Free) does not support full minidump.*Mini*'
        Get-DumpFiles $folder | Should -HaveCount 0
        $free | Remove-KuduSession -Confirm:$false
    }

    It 'reports a folder it cannot write to, before any process is frozen' -Skip:(-not $IsLinux) {
        # /sys refuses new files even to root, so this holds however the tests run.
        $results = @($processes | Save-KuduProcessDump -Path '/sys/kudu-diagnostics-test' -IncludeScmSite -ErrorVariable err -ErrorAction SilentlyContinue)

        $results | Should -HaveCount 0
        $err | Should -HaveCount 3
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpFolderNotWritable,*'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -BeLike '*-Path*'
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0 -Because 'no process is frozen for a dump that cannot be stored'
    }

    It 'refuses a -Path that is a file' {
        $file = Join-Path $folder 'file.txt'
        Set-Content -Path $file -Value 'x'
        $processes[0] | Save-KuduProcessDump -Path $file -IncludeScmSite -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpDestinationInvalid,*'
        Get-Content $file | Should -Be 'x'
    }

    It 'reports a full disk and removes the partial dump' -Skip:(-not $IsLinux -or (id -u) -ne 0) {
        $small = Join-Path $folder 'small'
        New-Item -ItemType Directory -Path $small | Out-Null
        mount -t tmpfs -o size=1500k tmpfs $small
        try {
            # 1 MiB dumps: the first fits, the second fills the disk.
            $results = @($processes[0..1] | Save-KuduProcessDump -Path $small -IncludeScmSite -ErrorVariable err -ErrorAction SilentlyContinue)

            $results | Should -HaveCount 1
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpDiskFull,*'
            $err[0].Exception.Message | Should -BeLike '*disk is full*'
            @(Get-DumpFiles $small | Where-Object Name -like '*.partial') | Should -HaveCount 0
            Get-DumpFiles $small | Should -HaveCount 1
        }
        finally { umount $small }
    }

    It 'stops promptly on Ctrl+C and removes the partial dump' {
        Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ sizes = @{ '1' = 256MB }; paceBytesPerSecond = 8MB; writeDelayMs = 0 } }
        $ps = New-DumpPowerShell $folder
        try {
            $async = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while (-not (Get-DumpFiles $folder | Where-Object { $_.Name -like '*.partial' -and $_.Length -gt 1MB })) {
                if ([datetime]::UtcNow -gt $deadline) { throw 'the dump never started' }
                Start-Sleep -Milliseconds 50
            }

            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            # The rest of the paced transfer would take half a minute; stopping must not wait for it.
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 15

            Get-DumpFiles $folder | Should -HaveCount 0
            @(Get-ChildItem -LiteralPath $folder -Directory) | Should -HaveCount 0 -Because 'the date folder made for the dump goes too'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            $ps.Dispose()
            Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ sizes = @{ '1' = 1048576 }; paceBytesPerSecond = 0; writeDelayMs = 200 } }
        }
    }
}

Describe 'Save-KuduProcessDump and the SCM site''s worker' {
    BeforeEach {
        Reset-KuduEmulator $emulator
        $folder = New-TestFolder
    }

    It 'skips the SCM worker with one warning naming it, and dumps the others' {
        $processes = @(Get-KuduProcess -Session $session -Name w3wp)
        $scm = $processes | Where-Object IsScmSite
        $scm | Should -HaveCount 1

        $results = @($processes | Save-KuduProcessDump -Path $folder -WarningVariable warnings -ErrorVariable err)

        $results | Should -HaveCount 2
        $results.ProcessId | Should -Not -Contain $scm.Id
        $err | Should -HaveCount 0
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -BeLike "Skipped w3wp ($($scm.Id)) on contoso instance $($scm.Instance.Substring(0, 6)): *SCM*-IncludeScmSite*"
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 2
    }

    It 'knows the SCM worker by Kudu''s own word when only an id is given' {
        Save-KuduProcessDump -Session $session -Id 0 -Path $folder -WarningVariable warnings | Should -BeNullOrEmpty
        $warnings | Should -HaveCount 1
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0
    }

    It 'dumps it with -IncludeScmSite' {
        $result = Save-KuduProcessDump -Session $session -Id 0 -Path $folder -IncludeScmSite
        $result.ProcessId | Should -Be (Get-KuduProcess -Session $session -Id 0).Id
    }
}

Describe 'Save-KuduProcessDump with what it cannot dump' {
    It 'refuses processes of this computer from Get-Process with a clear error' {
        $folder = New-TestFolder
        Reset-KuduEmulator $emulator

        Get-Process -Id $PID | Save-KuduProcessDump -Path $folder -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduLocalProcessNotSupported,KuduDiagnostics.Commands.SaveKuduProcessDumpCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject.Id | Should -Be $PID
        $err[0].Exception.Message | Should -BeLike "*($PID) is a process of this computer*Get-KuduProcess*"
        (Get-KuduEmulatorStats $emulator 'contoso').totalRequests | Should -Be 0
    }
}
