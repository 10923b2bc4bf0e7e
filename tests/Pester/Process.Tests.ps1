BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $scenario = @{
        sites = @(
            @{ name = 'contoso'; kind = 'functionapp'; instanceCount = 2; appWorkers = 2; extraProcesses = @('dotnet', 'php-cgi') }
            @{
                name = 'odd'; instances = @(@{
                    processes = @(
                        @{ id = 4100; name = 'w3wp'; isScmSite = $true; userName = 'IIS APPPOOL\~1odd' }
                        @{ id = 4200; name = 'w3wp'; userName = 'IIS APPPOOL\odd' }
                        @{ id = 4300; name = 'restricted'; restricted = $true }
                    )
                })
            }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $contoso = Get-TestSite $emulator 'contoso'
    $session = New-EmulatorSession $emulator 'contoso'
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Get-KuduProcess' {
    It 'lists the processes of the instance the front end picked, and says which instance that was' {
        $processes = @(Get-KuduProcess)

        $processes | Should -Not -BeNullOrEmpty
        $processes | ForEach-Object { $_ | Should -BeOfType ([KuduDiagnostics.KuduProcess]) }
        @($processes.Instance | Select-Object -Unique) | Should -HaveCount 1
        $processes[0].Instance | Should -BeIn $contoso.instances
        $processes[0].Session.Id | Should -Be $session.Id
        ($processes | Where-Object Name -eq 'w3wp') | Should -HaveCount 3
        $processes.UserName | Should -Contain 'IIS APPPOOL\~1contoso'
    }

    It 'asks the instance named by -Instance, through the ARRAffinity cookie' {
        foreach ($instance in $contoso.instances) {
            $processes = @(Get-KuduProcess -Instance $instance)
            $processes.Instance | Select-Object -Unique | Should -Be $instance
        }
        $first = @(Get-KuduProcess -Instance $contoso.instances[0]).Id
        $second = @(Get-KuduProcess -Instance $contoso.instances[1]).Id
        $first | Should -Not -Be $second
    }

    It 'filters by name with wildcards' {
        $names = @(Get-KuduProcess -Name 'w3*', 'dot*' -Instance $contoso.instances[0]).Name | Select-Object -Unique | Sort-Object
        $names | Should -Be @('dotnet', 'w3wp')
    }

    It 'reports a name that matches nothing, like Get-Process' {
        Get-KuduProcess -Name 'nosuchprocess' -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduProcessNotFound,*'
        $err[0].TargetObject | Should -Be 'nosuchprocess'
    }

    It 'resolves id 0 to the SCM site''s own w3wp' {
        $scm = Get-KuduProcess -Id 0 -Instance $contoso.instances[0]
        $scm.Name | Should -Be 'w3wp'
        $scm.Id | Should -BeGreaterThan 0
        $scm.UserName | Should -Be 'IIS APPPOOL\~1contoso'
    }

    It 'says when the instance asked for is gone' {
        $gone = 'f' * 64
        Get-KuduProcess -Instance $gone -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInstanceNotFound,*'
        $err[0].Exception.Message | Should -BeLike '*ffffff*not running*'
    }
}

Describe 'Get-KuduProcess | Get-KuduProcessDetail' {
    It 'returns typed details where only the SCM worker has IsScmSite' {
        $details = @(Get-KuduProcess -Instance $contoso.instances[0] | Where-Object Name -eq w3wp | Get-KuduProcessDetail)

        $details | Should -HaveCount 3
        $details | ForEach-Object { $_ | Should -BeOfType ([KuduDiagnostics.KuduProcessDetail]) }
        @($details | Where-Object IsScmSite) | Should -HaveCount 1
        ($details | Where-Object IsScmSite).UserName | Should -Be 'IIS APPPOOL\~1contoso'
        $details.Instance | Select-Object -Unique | Should -Be $contoso.instances[0]
        $details[0].StartTime | Should -BeOfType ([datetime])
        $details[0].StartTime.Kind | Should -Be 'Utc'
        $details[0].TotalCpuTime | Should -BeOfType ([timespan])
        $details[0].WorkingSet | Should -BeGreaterThan 0
        $details[0].Threads | Should -Not -BeNullOrEmpty
        $details[0].Modules | Should -Not -BeNullOrEmpty
    }

    It 'keeps the input order and targets each process''s own instance' {
        $processes = @($contoso.instances | ForEach-Object { Get-KuduProcess -Instance $_ -Name w3wp })
        $details = @($processes | Get-KuduProcessDetail)

        $details.Id | Should -Be $processes.Id
        $details.Instance | Should -Be $processes.Instance
    }

    It 'redacts environment values unless -IncludeEnvironment is given' {
        $process = Get-KuduProcess -Name w3wp -Instance $contoso.instances[0] | Select-Object -First 1

        $redacted = $process | Get-KuduProcessDetail
        $redacted.EnvironmentRedacted | Should -BeTrue
        $redacted.EnvironmentVariables.Keys | Should -Contain 'APPSETTING_AzureWebJobsStorage'
        $redacted.EnvironmentVariables['APPSETTING_AzureWebJobsStorage'] | Should -BeLike '<redacted*'
        ($redacted | Format-List * | Out-String) | Should -Not -BeLike '*AccountKey=*'

        $full = $process | Get-KuduProcessDetail -IncludeEnvironment
        $full.EnvironmentRedacted | Should -BeFalse
        $full.EnvironmentVariables['APPSETTING_AzureWebJobsStorage'] | Should -BeLike '*AccountKey=*'
    }

    It 'reads a process whose counters Kudu could not read as nulls, not -1' {
        $odd = New-EmulatorSession $emulator 'odd'
        $detail = Get-KuduProcessDetail -Session $odd -Id 4300

        $detail.FileName | Should -BeNullOrEmpty
        $detail.HandleCount | Should -BeNullOrEmpty
        $detail.TotalCpuTime | Should -BeNullOrEmpty
        $detail.WorkingSet | Should -BeNullOrEmpty
        $detail.IsScmSite | Should -BeFalse
        $odd | Remove-KuduSession -Confirm:$false
    }

    It 'looks processes up in parallel, bounded by -ThrottleLimit' {
        $processes = @(Get-KuduProcess -Instance $contoso.instances[0])
        $processes.Count | Should -BeGreaterOrEqual 5
        try {
            foreach ($limit in 3, 1) {
                # Reset clears runtime settings too, so the latency goes on after it.
                Reset-KuduEmulator $emulator
                Set-KuduEmulatorSetting $emulator 'contoso' @{ latencyMs = 300 }

                $details = @($processes | Get-KuduProcessDetail -ThrottleLimit $limit)

                $details | Should -HaveCount $processes.Count
                (Get-KuduEmulatorStats $emulator 'contoso').maxConcurrentRequests | Should -Be $limit
            }
        }
        finally { Reset-KuduEmulator $emulator }
    }
}

Describe 'Faults while reading processes' {
    AfterEach { Set-KuduEmulatorFault $emulator 'contoso' @() }

    It 'reports a process that is not running and goes on with the others' {
        $processes = @(Get-KuduProcess -Instance $contoso.instances[0] -Name w3wp)
        $victim = $processes[1]
        Invoke-RestMethod -Method Post -Uri "$($emulator.url)/_emulator/sites/contoso/instances/$($victim.Instance)/processes/$($victim.Id)/kill" | Out-Null
        try {
            $details = @($processes | Get-KuduProcessDetail -ErrorVariable err -ErrorAction SilentlyContinue)

            $details | Should -HaveCount 2
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduProcessNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            # Issue 13: process, id, site and instance first; the instance that answered and -AllInstances after Kudu's words.
            $short = $victim.Instance.Substring(0, 6)
            $err[0].Exception.Message | Should -BeLike "w3wp ($($victim.Id)) on contoso instance ${short}: Process with an Id of $($victim.Id) is not running. Instance $short answered*-AllInstances*"
            $err[0].TargetObject.Id | Should -Be $victim.Id
        }
        finally { Reset-KuduEmulator $emulator }
    }

    It 'rejects a body that is not process JSON' {
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'list'; action = 'badJson' })
        Get-KuduProcess -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInvalidResponse,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $err[0].Exception.Message | Should -BeLike '*not the process JSON*'
    }

    It 'explains a 403' {
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'list'; action = 'status'; status = 403; plainText = $true; message = '403 - Forbidden: Access is denied.' })
        Get-KuduProcess -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAccessDenied,*'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -BeLike '*Website Contributor*'
    }

    It 'retries a busy front end (503 with Retry-After) and honours the delay' {
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'list'; action = 'status'; status = 503; retryAfterSeconds = 2; count = 2 })
        $clock = [Diagnostics.Stopwatch]::StartNew()

        $processes = @(Get-KuduProcess)

        $processes | Should -Not -BeNullOrEmpty
        $stats = Get-KuduEmulatorStats $emulator 'contoso'
        $stats.requests.list | Should -Be 3
        $stats.faultsApplied | Should -Be 2
        # Two Retry-After: 2 waits: a lower bound the client must respect, not a speed target.
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 4
    }

    It 'gives up on a front end that stays busy, with a clear error' {
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'list'; action = 'status'; status = 429; retryAfterSeconds = 0 })
        Get-KuduProcess -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduThrottled,*'
        $err[0].Exception.Message | Should -BeLike '*429*'
    }
}

Describe 'Errors that say where, once' {
    AfterEach { Set-KuduEmulatorFault $emulator 'contoso' @() }

    It 'adds no "no process named" error to a listing that failed' {
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'list'; action = 'status'; status = 403; plainText = $true; message = '403 - Forbidden: Access is denied.' })

        Get-KuduProcess -Name w3wp -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAccessDenied,*'
    }

    It 'starts a listing failure of one instance with the site and that instance' {
        $instance = $contoso.instances[1]
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'list'; instance = $instance; action = 'badJson' })

        $processes = @(Get-KuduProcess -Instance $contoso.instances -ErrorVariable err -ErrorAction SilentlyContinue)

        $processes.Instance | Select-Object -Unique | Should -Be $contoso.instances[0]
        $err | Should -HaveCount 1
        $err[0].Exception.Message | Should -BeLike "contoso instance $($instance.Substring(0, 6)): *not the process JSON*"
        $err[0].TargetObject.Instance | Should -Be $instance
    }
}

Describe 'Retries are visible' {
    BeforeEach { Reset-KuduEmulator $emulator }
    AfterAll { Set-KuduEmulatorFault $emulator 'contoso' @() }

    It 'says status, attempt and wait of each retry with -Verbose in <Command>' -ForEach @(
        @{ Command = 'New-KuduSession'; Run = { New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -Credential (New-TestCredential $contoso) -Verbose } }
        @{ Command = 'Get-KuduProcess'; Run = { Get-KuduProcess -Session $session -Verbose } }
        @{ Command = 'Get-KuduProcessDetail'; Run = { Get-KuduProcessDetail -Session $session -Id 0 -Verbose } }
        @{ Command = 'Get-KuduInstance'; Run = { Get-KuduInstance -Session $session -Verbose -WarningAction SilentlyContinue } }
        @{ Command = 'Save-KuduProcessDump'; Run = { Save-KuduProcessDump -Session $session -Id -1 -Path (New-TestFolder) -Confirm:$false -Verbose } }
        @{ Command = 'Invoke-FunctionAppDump'; Run = { Invoke-FunctionAppDump -Session $session -Path (New-TestFolder) -Confirm:$false -Verbose } }
    ) {
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'any'; action = 'status'; status = 503; retryAfterSeconds = 0; count = 1 })

        $output = @(& $Run 4>&1)

        $retries = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*retry*' })
        $retries | Should -HaveCount 1
        $retries[0].Message | Should -Match '^GET http://127\.0\.0\.1:\d+/api/\S+ answered 503 Service Unavailable; retry 1 of 3 in 0\.5 s\.$'
        @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
        if ($Command -eq 'New-KuduSession') { $output | Where-Object { $_ -is [KuduDiagnostics.KuduSession] } | Remove-KuduSession -Confirm:$false }
    }
}
