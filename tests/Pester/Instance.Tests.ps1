# Issue 13, points 1 and 2: -Instance takes the ids the tables show, and a session stays on one instance.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $hex = { param($c) ([string]$c) * 60 }
    # A user-assigned identity of this file's own: Azure.Identity caches managed-identity tokens per process, and
    # another file's emulator signs its tokens with another key.
    $identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $scenario = @{
        identity = @{ userAssigned = @($identity) }
        sites = @(
            @{ name = 'contoso'; instanceCount = 3; appWorkers = 1; extraProcesses = @(); dump = @{ sizes = @{ default = 65536 } } }
            @{ name = 'twins'; appWorkers = 1; extraProcesses = @()
               instances = @(@{ id = 'aaaa1111' + (& $hex 0) }, @{ id = 'aaaa2222' + (& $hex 0) }, @{ id = 'bbbb3333' + (& $hex 0) }) }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $contoso = Get-TestSite $emulator 'contoso'
    $twins = Get-TestSite $emulator 'twins'
    $arm = New-KuduSession -ResourceId $contoso.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
    $short = @($contoso.instances | ForEach-Object { $_.Substring(0, 6) })
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Instance ids as the tables show them' {
    BeforeEach { Reset-KuduEmulator $emulator }

    It 'takes the 6 characters a table shows, for every instance, though the front end cannot route them' {
        $table = Get-KuduInstance -Session $arm | Out-String -Width 80
        foreach ($i in 0..2) {
            $table | Should -BeLike "*$($short[$i])*"
            $processes = @(Get-KuduProcess -Session $arm -Instance $short[$i])
            $processes | Should -Not -BeNullOrEmpty
            $processes.Instance | Select-Object -Unique | Should -Be $contoso.instances[$i]
        }
    }

    It 'takes any unique start of an id, in any case' {
        $id = $contoso.instances[2]
        $start = $id.Substring(0, 3).ToUpperInvariant()
        # Three hex characters of three random ids: unique here, which the test checks rather than assumes.
        @($contoso.instances | Where-Object { $_.StartsWith($start, 'OrdinalIgnoreCase') }) | Should -HaveCount 1
        @(Get-KuduProcess -Session $arm -Instance $start).Instance | Select-Object -Unique | Should -Be $id
    }

    It 'reports an unknown value once, naming it and listing the instances there are' {
        Get-KuduProcess -Session $arm -Instance 'zzzzzz' -Name w3wp -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1 -Because 'no "no process named w3wp" error may follow'
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduInstanceNotResolved,KuduDiagnostics.Commands.GetKuduProcessCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'zzzzzz'
        $err[0].Exception.Message | Should -BeLike "*'zzzzzz'*"
        foreach ($s in $short) { $err[0].Exception.Message | Should -BeLike "*$s*" }
    }

    It 'reports a start that several ids share, listing them' {
        $session = New-KuduSession -ResourceId $twins.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
        try {
            Get-KuduProcess -Session $session -Instance 'AAAA' -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInstanceAmbiguous,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be 'AAAA'
            $err[0].Exception.Message | Should -BeLike "*aaaa11*aaaa22*"
            $err[0].Exception.Message | Should -Not -BeLike '*bbbb33*'
            @(Get-KuduProcess -Session $session -Instance 'aaaa2').Instance | Select-Object -Unique | Should -Be $twins.instances[1]
        }
        finally { $session | Remove-KuduSession -Confirm:$false }
    }

    It 'resolves against the instances met when the session cannot list them' {
        $basic = New-EmulatorSession $emulator 'contoso'
        try {
            $pinned = $basic.PinnedInstance
            $other = $contoso.instances | Where-Object { $_ -ne $pinned } | Select-Object -First 1
            @(Get-KuduProcess -Session $basic -Instance $pinned.Substring(0, 6)).Instance | Select-Object -Unique | Should -Be $pinned

            Get-KuduProcess -Session $basic -Instance $other.Substring(0, 6) -ErrorVariable err -ErrorAction SilentlyContinue
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInstanceNotResolved,*'
            $err[0].Exception.Message | Should -BeLike "*met: $($pinned.Substring(0, 6))*-ResourceId*"

            # A full id goes as given (the transport checks who answers); the session has met it after that.
            @(Get-KuduProcess -Session $basic -Instance $other).Instance | Select-Object -Unique | Should -Be $other
            @(Get-KuduProcess -Session $basic -Instance $other.Substring(0, 6)).Instance | Select-Object -Unique | Should -Be $other
        }
        finally { $basic | Remove-KuduSession -Confirm:$false }
    }

    It 'works for the -Instance of <Command>' -ForEach @(
        @{ Command = 'Get-KuduProcessDetail'; Run = { param($s, $i, $id, $f) Get-KuduProcessDetail -Session $s -Instance $i -Id $id } }
        @{ Command = 'Save-KuduProcessDump'; Run = { param($s, $i, $id, $f) Save-KuduProcessDump -Session $s -Instance $i -Id $id -Path $f -Confirm:$false } }
        @{ Command = 'Invoke-FunctionAppDump'; Run = { param($s, $i, $id, $f) Invoke-FunctionAppDump -Session $s -Instance $i -Path $f -Confirm:$false } }
    ) {
        $worker = Get-KuduProcess -Session $arm -Instance $contoso.instances[1] -Name w3wp | Where-Object { -not $_.IsScmSite }
        $folder = New-TestFolder

        $result = @(& $Run $arm $short[1] $worker.Id $folder)

        $result | Should -HaveCount 1
        $result[0].Instance | Should -Be $contoso.instances[1]
    }
}

Describe 'One instance per session' {
    BeforeEach {
        Reset-KuduEmulator $emulator
        $session = New-EmulatorSession $emulator 'contoso'
    }

    AfterEach { $session | Remove-KuduSession -Confirm:$false; Reset-KuduEmulator $emulator }

    It 'stays on the instance that answered first, and Get-KuduSession shows which' {
        $session.PinnedInstance | Should -BeIn $contoso.instances
        $seen = foreach ($n in 1..4) { @(Get-KuduProcess -Session $session).Instance }
        @($seen | Select-Object -Unique) | Should -Be @($session.PinnedInstance)
        @(Get-KuduProcess -Session $session | Get-KuduProcessDetail).Instance | Select-Object -Unique | Should -Be $session.PinnedInstance
        (Get-KuduSession -Id $session.Id | Out-String -Width 80) | Should -BeLike "*$($session.PinnedInstance.Substring(0, 6))*"
    }

    It 'warns once and moves to the instance that answered when its instance goes away' {
        $gone = $session.PinnedInstance
        Invoke-RestMethod -Method Post -Uri "$($emulator.url)/_emulator/sites/contoso/instances/$gone/stop" | Out-Null

        $first = @(Get-KuduProcess -Session $session -WarningVariable w1)
        $second = @(Get-KuduProcess -Session $session -WarningVariable w2)

        $first | Should -Not -BeNullOrEmpty
        $moved = $first[0].Instance
        $moved | Should -Not -Be $gone
        @($second.Instance | Select-Object -Unique) | Should -Be @($moved)
        $w1 | Should -HaveCount 1
        "$($w1[0])" | Should -BeLike "Instance $($gone.Substring(0, 6)) of contoso*gone*instance $($moved.Substring(0, 6))*"
        $w2 | Should -HaveCount 0
        $session.PinnedInstance | Should -Be $moved
    }
}
