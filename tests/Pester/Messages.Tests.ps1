# Issue 23, points 4 and 6: a "not found" says where it looked and where else to look; a read says with -Verbose
# what it asked and what came back; a watch that ends at -Timeout with nothing fired says so.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $scenario = @{
        identity = @{ userAssigned = @($identity) }
        sites = @(
            @{ name = 'contoso-func'; kind = 'functionapp'
               instances = @(
                   @{ machineName = 'DW1SDWK000ABC'; processes = @(@{ id = 100; name = 'w3wp'; isScmSite = $true }, @{ id = 200; name = 'w3wp'; privateMemory = 500MB }, @{ id = 300; name = 'dotnet' }) }
                   @{ machineName = 'DW1SDWK000ABD'; processes = @(@{ id = 104; name = 'w3wp'; isScmSite = $true }, @{ id = 18808; name = 'w3wp'; privateMemory = 500MB }) }) }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $site = Get-TestSite $emulator 'contoso-func'
    $first = $site.instances[0].Substring(0, 6)
    $second = $site.instances[1].Substring(0, 6)
    Remove-KuduSession -All -Confirm:$false
    $basic = New-EmulatorSession $emulator 'contoso-func'
    Get-KuduProcess -Session $basic -Instance $first | Out-Null
    $arm = New-KuduSession -ResourceId $site.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Not-found errors say where they looked' {
    It 'Get-KuduProcess -Id names the site and the instance asked, and suggests -AllInstances when the session can list instances' {
        $pinned = $arm.PinnedInstance
        $out = @(Get-KuduProcess -Session $arm -Id 424242 -ErrorVariable err -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduProcessNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 424242
        $short = $arm.PinnedInstance.Substring(0, 6)
        $err[0].Exception.Message | Should -Be "Kudu lists no process with Id 424242 on contoso-func instance $short. Add -AllInstances to look on every instance of contoso-func."
    }

    It 'lists every instance asked, and suggests nothing more after -AllInstances' {
        Get-KuduProcess -Session $arm -Id 424242 -AllInstances -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduProcessNotFound,*'
        $err[0].Exception.Message | Should -Be "Kudu lists no process with Id 424242 on contoso-func instances $first, $second."
    }

    It 'finds on another instance with -AllInstances what the session''s instance lacks' {
        $found = @(Get-KuduProcess -Session $arm -Id 18808 -AllInstances)
        $found | Should -HaveCount 1
        $found[0].Instance | Should -Be $site.instances[1]
    }

    It 'a session without Resource Manager names the instance and says to name others with -Instance' {
        Get-KuduProcess -Session $basic -Instance $first -Id 18808 -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].Exception.Message | Should -Be "Kudu lists no process with Id 18808 on contoso-func instance $first. Another instance may run it: name it with -Instance (its id or the first characters of it)."
    }

    It 'Get-KuduProcess -Name says where, like -Id' {
        Get-KuduProcess -Session $arm -Name nosuchprocess -Instance $second -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduProcessNotFound,*'
        $err[0].TargetObject | Should -Be 'nosuchprocess'
        $err[0].Exception.Message | Should -Be "Kudu lists no process named 'nosuchprocess' on contoso-func instance $second. Add -AllInstances to look on every instance of contoso-func."
    }

    It 'Get-KuduProcessDetail and Save-KuduProcessDump -Id name the process, site and instance' -ForEach @(
        @{ Command = 'Get-KuduProcessDetail' }
        @{ Command = 'Save-KuduProcessDump' }
    ) {
        $extra = if ($Command -eq 'Save-KuduProcessDump') { @{ Path = (New-TestFolder); Confirm = $false } } else { @{} }
        & $Command -Session $basic -Instance $first -Id 18808 @extra -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "KuduProcessNotFound,*"
        $err[0].Exception.Message | Should -BeLike "process (18808) on contoso-func instance ${first}: *Instance $first answered*-AllInstances*"
        if ($extra.ContainsKey('Path')) { Get-DumpFiles $extra['Path'] | Should -BeNullOrEmpty; Remove-Item -Recurse $extra['Path'] }
    }

    It 'Watch-KuduProcess -Id says where it found nothing to watch' {
        $out = @(Watch-KuduProcess -Session $basic -Id 18808 -Instance $first -PrivateMemoryAbove 1GB -Interval 1 -Timeout 2 -WarningVariable warn -WarningAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $warn | Should -HaveCount 1
        "$($warn[0])" | Should -BeLike 'No process to watch was found on contoso-func*'
    }
}

Describe 'A dump type that does not exist' {
    It 'lists the dump types one can give, not Custom (<Command>)' -ForEach @(@{ Command = 'Save-KuduProcessDump' }, @{ Command = 'Invoke-FunctionAppDump' }) {
        $err = $null
        try { & $Command -Session $basic -DumpType Banana -Path (New-TestFolder) -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "ParameterArgumentTransformationError,*"
        $err.Exception.Message | Should -BeLike "*'Banana' is not a dump type: use Mini, Heap, Full or Triage.*"
        $err.Exception.Message | Should -Not -BeLike '*Custom*'
        { & $Command -Session $basic -DumpType Custom -WhatIf } | Should -Throw -ExpectedMessage "*'Custom' is not a dump type: use Mini, Heap, Full or Triage.*"
    }
}

Describe 'A word where it is due' {
    It 'Get-KuduProcess -Verbose says which instances were asked and how many processes each listed' {
        $verbose = @(Get-KuduProcess -Session $arm -AllInstances -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain "Resource Manager lists 2 instance(s) of contoso-func: $first, $second."
        $verbose | Should -Contain "Asked contoso-func instance $first for its processes: 3 listed, 3 written."
        $verbose | Should -Contain "Asked contoso-func instance $second for its processes: 2 listed, 2 written."
    }

    It 'Get-KuduProcessDetail -Verbose says what it read' {
        $verbose = @(Get-KuduProcessDetail -Session $basic -Instance $first -Id 200 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Match "^Read w3wp \(200\) on contoso-func instance ${first}: \d+ threads, [\d.]+ MB working set\.$"
    }

    It 'Get-KuduInstance -Verbose says how many instances Resource Manager listed' {
        $verbose = @(Get-KuduInstance -Session $arm -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain 'Asked Resource Manager for the instances of contoso-func: 2 listed.'
    }

    It 'a watch that ends at -Timeout with nothing fired warns, and writes nothing' {
        $out = @(Watch-KuduProcess -Session $basic -Instance $first -PrivateMemoryAbove 1GB -Interval 1 -Timeout 2 -WarningVariable warn -WarningAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $warn | Should -HaveCount 1
        "$($warn[0])" | Should -Be 'The watch of contoso-func ended at -Timeout (00:00:02) with nothing fired: 1 process(es) on 1 instance(s) were watched, and none held PrivateMemory > 1 GB.'
    }

    It 'Invoke-FunctionAppDump -Watch that ends at -Timeout with nothing fired warns the same way, and dumps nothing' {
        $folder = New-TestFolder
        $out = @(Invoke-FunctionAppDump -Session $basic -Instance $first -Watch -PrivateMemoryAbove 1GB -Interval 1 -Timeout 2 -Path $folder -Confirm:$false -WarningVariable warn -WarningAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        @(Get-ChildItem -Recurse -File $folder) | Should -HaveCount 0
        $warn | Should -HaveCount 1
        "$($warn[0])" | Should -BeLike 'The watch of contoso-func ended at -Timeout (00:00:02) with nothing fired: * process(es) on 1 instance(s) were watched, and none held PrivateMemory > 1 GB.'
    }

    It 'a watch that fires does not warn' {
        $out = @(Watch-KuduProcess -Session $basic -Instance $first -PrivateMemoryAbove 100MB -Interval 1 -Timeout 5 -WarningVariable warn)
        $out | Should -HaveCount 1
        $warn | Should -BeNullOrEmpty
    }
}

# Issue 24, point 7: the core states the fact, the cmdlets add which parameter to use: one whole message, as before.
Describe 'The cmdlets phrase the advice for the core''s facts' {
    It 'a site name that is no site name points to -ScmUri' {
        $credential = [pscredential]::new('user', (ConvertTo-SecureString 'pass' -AsPlainText -Force))
        New-KuduSession -Name 'no such site' -Credential $credential -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInvalidArgument,*'
        $err[0].Exception.Message | Should -Be "'no such site' is not an App Service site name (letters, digits and hyphens). To connect to a full SCM address, use -ScmUri."
        "$($err[0])" | Should -Be $err[0].Exception.Message
    }

    It 'a -Path that is a file says so, naming -Path' {
        $file = Join-Path (New-TestFolder) 'a-file.txt'
        Set-Content -Path $file -Value 'not a folder'
        Save-KuduProcessDump -Session $basic -Instance $first -Id 200 -Path $file -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpDestinationInvalid,*'
        $err[0].Exception.Message | Should -Be "-Path '$file' is a file; give the folder the dumps should go to."
    }

    It 'a watch interval under a second names -Interval' {
        { Watch-KuduProcess -Session $basic -PrivateMemoryAbove 1GB -Interval 0.5 -Timeout 2 } | Should -Throw -ErrorId 'KuduWatchInvalid,*' -ExpectedMessage "-Interval must be at least 1 second: each sample asks Kudu for every watched process's details."
    }

    It 'Get-KuduProcessDetail says how to see a redacted value' {
        $detail = Get-KuduProcessDetail -Session $basic -Instance $first -Id 200
        $detail.EnvironmentRedacted | Should -BeTrue
        @($detail.EnvironmentVariables.Values | Select-Object -Unique) | Should -Be @('<redacted: use -IncludeEnvironment>')
    }

    It 'Invoke-FunctionAppDump -Verbose says how to ask every instance and how to dump the SCM worker too' {
        $folder = New-TestFolder
        $verbose = @(Invoke-FunctionAppDump -Session $basic -Path $folder -Confirm:$false -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain "Asking the session's instance of contoso-func (use -AllInstances for every instance)."
        $verbose | Should -Contain "Skipped w3wp (100) on contoso-func instance ${first}: it is the SCM (Kudu) site's own worker, which serves the dumps (a dump freezes it); add -IncludeScmSite to dump it too."
    }
}
