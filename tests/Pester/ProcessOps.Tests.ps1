# Issue 25: the rest of Kudu's Process Explorer in the pipeline: threads, modules, stop (dump then recycle) and profiles.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $target = Start-LinuxTarget
    $scenario = @{
        identity = @{ userAssigned = @($identity) }
        sites = @(
            @{ name = 'contoso'; instanceCount = 2; appWorkers = 1; extraProcesses = @('dotnet'); dump = @{ sizes = @{ default = 262144 } } }
            @{ name = 'penguin'; kind = 'app,linux'; sku = 'PremiumV3'; dotnetMonitor = 'enabled'; instances = @(@{ linuxTargets = @($target.pid) }) }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $contoso = Get-TestSite $emulator 'contoso'
    $penguin = Get-TestSite $emulator 'penguin'
    $arm = New-KuduSession -ResourceId $contoso.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl

    function Get-Ops([string] $Site = 'contoso') { Invoke-RestMethod "$($emulator.url)/_emulator/sites/$Site/ops" }

    function Get-AppWorker([int] $Instance = 1) {
        <# The app's w3wp (not the SCM site's) on one instance. #>
        Get-KuduProcess -Session $arm -Instance $contoso.instances[$Instance] -Name w3wp | Get-KuduProcessDetail | Where-Object { -not $_.IsScmSite }
    }

    function Send-ProfileStart($Site, [string] $Instance, [int] $ProcessId) {
        <# What the portal's Process Explorer does when someone else starts a profile. #>
        $basic = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($Site.userName):$($Site.password)"))
        Invoke-RestMethod -Method Post -Uri "$($Site.scmUrl)/api/processes/$ProcessId/profile/start?iisProfiling=false" `
            -Headers @{ Authorization = "Basic $basic"; Cookie = "ARRAffinity=$Instance" } | Out-Null
    }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
    if ($target) { Stop-LinuxTarget $target }
}

Describe 'Get-KuduProcessThread and Get-KuduProcessModule' {
    BeforeEach { Reset-KuduEmulator $emulator }

    It 'lists every thread of a piped process, typed, with the process and the instance that runs it' {
        $worker = Get-AppWorker -Instance 1
        $threads = @($worker | Get-KuduProcessThread)

        $threads | Should -HaveCount $worker.ThreadCount
        foreach ($t in $threads) {
            $t | Should -BeOfType ([KuduDiagnostics.KuduThread])
            $t.Instance | Should -Be $contoso.instances[1]
            $t.ProcessId | Should -Be $worker.Id
            $t.ProcessName | Should -Be 'w3wp'
            $t.TotalProcessorTime | Should -BeOfType ([TimeSpan])
            $t.TotalProcessorTime | Should -Be ($t.UserProcessorTime + $t.PrivilegedProcessorTime) -Because "Kudu's priviledged_processor_time is read"
            $t.StartTime.Kind | Should -Be 'Utc'
            $t.StartAddress | Should -Match '^0x[0-9A-F]+$'
            if ($t.State -ne 'Wait') { $t.WaitReason | Should -BeNullOrEmpty }
        }
        @($threads | Where-Object State -eq 'Wait' | Where-Object WaitReason).Count | Should -BeGreaterThan 0
    }

    It 'lists every module with its version and size, the base address as Kudu''s hex' {
        $worker = Get-AppWorker -Instance 0
        $modules = @(Get-KuduProcessModule -Session $arm -Instance $contoso.instances[0] -Id $worker.Id)

        $modules | Should -HaveCount $worker.ModuleCount
        foreach ($m in $modules) {
            $m | Should -BeOfType ([KuduDiagnostics.KuduModule])
            $m.Instance | Should -Be $contoso.instances[0]
            $m.BaseAddress | Should -Match '^[0-9a-f]+$'
            $m.ModuleMemorySize | Should -BeGreaterThan 0
            $m.FilePath | Should -BeLike "*\$($m.FileName)"
        }
    }

    It 'finds a pid on whichever instance runs it with -AllInstances, and asks each instance' {
        $worker = Get-AppWorker -Instance 1
        $threads = @(Get-KuduProcessThread -Session $arm -Id $worker.Id -AllInstances -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        $threads | Should -HaveCount $worker.ThreadCount
        $threads.Instance | Select-Object -Unique | Should -Be $contoso.instances[1]
    }

    It 'says once that no instance runs a pid' {
        Get-KuduProcessThread -Session $arm -Id 999999 -AllInstances -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduProcessNotFound,KuduDiagnostics.Commands.GetKuduProcessThreadCommand'
    }

    It 'shows tables that fit 80 columns' {
        $worker = Get-AppWorker -Instance 0
        $text = ($worker | Get-KuduProcessThread | Out-String -Width 80) + ($worker | Get-KuduProcessModule | Out-String -Width 80)
        foreach ($line in $text -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $text | Should -Match 'WaitReason'
        $text | Should -Match 'FileVersion'
    }
}

Describe 'Stop-KuduProcess' {
    BeforeEach { Reset-KuduEmulator $emulator }

    It 'sends no DELETE with -WhatIf' {
        $worker = Get-AppWorker -Instance 0
        $worker | Stop-KuduProcess -WhatIf
        @((Get-Ops).records | Where-Object op -eq 'kill') | Should -HaveCount 0
        @(Get-KuduProcess -Session $arm -Instance $contoso.instances[0] -Id $worker.Id) | Should -HaveCount 1
    }

    It 'refuses the SCM site''s own worker unless -IncludeScmSite, saying it would end Kudu' {
        $scm = Get-KuduProcess -Session $arm -Instance $contoso.instances[0] -Name w3wp | Where-Object IsScmSite
        $scm | Stop-KuduProcess -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduScmSiteStopRefused,KuduDiagnostics.Commands.StopKuduProcessCommand'
        $err[0].Exception.Message | Should -BeLike "w3wp ($($scm.Id)) on contoso instance $($contoso.instances[0].Substring(0, 6))*ends Kudu itself*-IncludeScmSite*"
        @((Get-Ops).records | Where-Object op -eq 'kill') | Should -HaveCount 0

        $stopped = $scm | Stop-KuduProcess -IncludeScmSite -Confirm:$false -PassThru
        $stopped.Id | Should -Be $scm.Id
    }

    It 'stops on the instance that runs the process, and warns when it is already gone' {
        $worker = Get-AppWorker -Instance 1
        $stopped = $worker | Stop-KuduProcess -Confirm:$false -PassThru
        $stopped | Should -BeOfType ([KuduDiagnostics.KuduProcessDetail])
        $kill = @((Get-Ops).records | Where-Object op -eq 'kill')
        $kill | Should -HaveCount 1
        $kill[0].instance | Should -Be $contoso.instances[1]
        $kill[0].pid | Should -Be $worker.Id
        @(Get-KuduProcess -Session $arm -Instance $contoso.instances[1] -Name w3wp | Where-Object Id -eq $worker.Id) | Should -HaveCount 0

        $worker | Stop-KuduProcess -Confirm:$false -WarningVariable warn -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $warn | Should -HaveCount 1
        "$warn" | Should -BeLike "*($($worker.Id))*already gone*"
    }

    It 'stops each worker only after its dump''s last byte: dump, then recycle, in one pipeline' {
        $folder = New-TestFolder
        $results = @(Get-KuduProcess -Session $arm -AllInstances -Name w3wp |
            Save-KuduProcessDump -Path $folder |
            Stop-KuduProcess -Confirm:$false -PassThru -WarningAction SilentlyContinue)

        $results | Should -HaveCount 2 -Because 'one app worker per instance; the SCM workers are left out by the dump'
        $dumps = (Get-KuduEmulatorStats $emulator 'contoso').dumps
        $kills = @((Get-Ops).records | Where-Object op -eq 'kill')
        $kills | Should -HaveCount 2
        foreach ($kill in $kills) {
            $dump = $dumps | Where-Object { $_.pid -eq $kill.pid -and $_.instance -eq $kill.instance }
            $dump.outcome | Should -Be 'completed'
            ([datetime]$kill.utc) | Should -BeGreaterOrEqual ([datetime]$dump.endedUtc)
        }
        Remove-Item -Recurse -Force $folder
    }

    It 'recycles each worker after its dump with Invoke-FunctionAppDump -Recycle, never the SCM worker' {
        $folder = New-TestFolder
        $results = @(Invoke-FunctionAppDump -Session $arm -AllInstances -Path $folder -Recycle -Confirm:$false)
        $results | Should -HaveCount 2
        $dumps = (Get-KuduEmulatorStats $emulator 'contoso').dumps
        $kills = @((Get-Ops).records | Where-Object op -eq 'kill')
        $kills | Should -HaveCount 2
        foreach ($kill in $kills) {
            $dump = $dumps | Where-Object { $_.pid -eq $kill.pid -and $_.instance -eq $kill.instance }
            ([datetime]$kill.utc) | Should -BeGreaterOrEqual ([datetime]$dump.endedUtc)
        }
        @(Get-KuduProcess -Session $arm -AllInstances -Name w3wp | Where-Object { -not $_.IsScmSite }) | Should -HaveCount 0
        Remove-Item -Recurse -Force $folder
    }
}

Describe 'Save-KuduProcessProfile' {
    BeforeEach {
        Reset-KuduEmulator $emulator
        $folder = New-TestFolder
    }
    AfterEach { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }

    It 'records for the time asked and stores the server''s exact bytes under the dump naming' {
        $worker = Get-AppWorker -Instance 0
        $result = $worker | Save-KuduProcessProfile -Duration 00:00:03 -Path $folder

        $result | Should -BeOfType ([KuduDiagnostics.KuduProfileResult])
        $ops = (Get-Ops).records
        $start = $ops | Where-Object op -eq 'profileStart'
        $stop = $ops | Where-Object op -eq 'profileStop'
        (([datetime]$stop.utc) - ([datetime]$start.utc)).TotalSeconds | Should -BeGreaterOrEqual 3
        $result.Recorded.TotalSeconds | Should -BeGreaterOrEqual 3
        $files = Get-DumpFiles $folder
        $files | Should -HaveCount 1 -Because 'no .partial is left'
        $files[0].FullName | Should -Be $result.Path
        $files[0].Name | Should -Match "^contoso_$($contoso.instances[0].Substring(0, 6))_w3wp_$($worker.Id)_\d{8}T\d{6}\.\d{3}Z_profile\.diagsession$"
        $files[0].Length | Should -Be $stop.bytes
        Get-Sha256 $files[0].FullName | Should -Be $stop.sha256
        if (-not $IsWindows) { [int](Get-Item $files[0].FullName).UnixFileMode | Should -Be 384 -Because 'owner read and write only (0600), as dumps' }
        (Get-Ops).profiling | Should -BeNullOrEmpty
    }

    It 'refuses a process that someone else is already profiling, saying so, and leaves that profile alone' {
        $worker = Get-AppWorker -Instance 0
        Send-ProfileStart $contoso $contoso.instances[0] $worker.Id
        $worker | Save-KuduProcessProfile -Duration 00:00:01 -Path $folder -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduProfileAlreadyRunning,KuduDiagnostics.Commands.SaveKuduProcessProfileCommand'
        $err[0].Exception.Message | Should -BeLike "w3wp ($($worker.Id)) on contoso instance*already recording*"
        @((Get-Ops).records | Where-Object op -eq 'profileStop') | Should -HaveCount 0
        @((Get-Ops).profiling) | Should -HaveCount 1
        Get-DumpFiles $folder | Should -BeNullOrEmpty
    }

    It 'sends the stop when the pipeline is stopped during the recording (Ctrl+C), and keeps no file' {
        $worker = Get-AppWorker -Instance 1
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($Manifest, $Site, $Instance, $ProcessId, $Folder)
                Import-Module $Manifest
                $credential = [pscredential]::new($Site.userName, (ConvertTo-SecureString $Site.password -AsPlainText -Force))
                $null = New-KuduSession -ScmUri $Site.scmUrl -Name $Site.name -Credential $credential
                Save-KuduProcessProfile -Instance $Instance -Id $ProcessId -Duration 00:05:00 -Path $Folder
            }).AddParameters(@{ Manifest = $ModuleManifest; Site = $contoso; Instance = $contoso.instances[1]; ProcessId = $worker.Id; Folder = $folder })
            $async = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not ((Get-Ops).records | Where-Object op -eq 'profileStart') -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            (Get-Ops).profiling | Should -HaveCount 1
            Start-Sleep -Milliseconds 500

            $ps.Stop()
        }
        finally { $ps.Dispose() }

        $stops = @((Get-Ops).records | Where-Object op -eq 'profileStop')
        $stops | Should -HaveCount 1
        $stops[0].status | Should -Be 200
        (Get-Ops).profiling | Should -BeNullOrEmpty -Because 'no profile may be left running'
        Get-DumpFiles $folder | Should -BeNullOrEmpty
    }

    It 'refuses a -Duration beyond Kudu''s own limit before asking anything' {
        { Save-KuduProcessProfile -Session $arm -Id 1 -Duration 00:16:00 -Path $folder -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProfileDurationInvalid,KuduDiagnostics.Commands.SaveKuduProcessProfileCommand'
        (Get-Ops).records | Should -BeNullOrEmpty
    }
}

Describe 'On a Linux app' {
    BeforeAll {
        $linux = New-EmulatorSession $emulator 'penguin'
        $process = Get-KuduProcess -Session $linux | Select-Object -First 1
    }
    BeforeEach { Reset-KuduEmulator $emulator }

    It '<Command> says KuduLite''s own words and what to use instead, with no request retried' -ForEach @(
        @{ Command = 'Get-KuduProcessThread'; Route = 'threads'; Instead = '*dump*clrthreads*' }
        @{ Command = 'Get-KuduProcessModule'; Route = 'modules'; Instead = '*dump*modules*' }
        @{ Command = 'Stop-KuduProcess'; Route = 'kill'; Instead = '*Restart the app*' }
        @{ Command = 'Save-KuduProcessProfile'; Route = 'profile'; Instead = '*dotnet-trace*' }
    ) {
        $extra = switch ($Command) { 'Stop-KuduProcess' { @{ Confirm = $false } } 'Save-KuduProcessProfile' { @{ Duration = [timespan]'00:00:01'; Path = (New-TestFolder) } } default { @{} } }
        $process | & $Command @extra -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduNotSupportedOnLinux,*'
        $err[0].Exception.Message | Should -BeLike "*is a Linux app*'Not supported on Linux'*"
        $err[0].Exception.Message | Should -BeLike $Instead
        (Get-KuduEmulatorStats $emulator 'penguin').requests.$Route | Should -Be 1
        if ($extra.ContainsKey('Path')) { Get-DumpFiles $extra.Path | Should -BeNullOrEmpty }
    }
}
