# Issue 23, point 2: every example of the built help runs. Each .EXAMPLE code block is read back from the MAML the
# build wrote (Get-Help), and run against the emulator: the demo's contoso-func (three instances, the ids the pages
# show) and a contoso, in resource group rg-prod of the emulator's Resource Manager face, so the pages' $siteId is
# real there. An example that errors fails; so does one that writes nothing when it should write something.
#
# What stands in for the user, and nothing else: Get-Credential answers with the emulated site's publishing
# credentials, and "New-KuduSession -Name <site> -Credential ..." reaches that emulated site (-ScmUri), as the
# Playground's session does. Examples that need what only Azure or other modules have are skipped with the reason.
BeforeDiscovery {
    $script:Skipped = @{
        'Get-KuduDumpAnalysis: Analyse every dump in a folder' = 'needs real .NET dumps (the emulator''s Windows dumps are made-up bytes); DumpAnalysis.Tests.ps1 analyses real ones'
        'Get-KuduDumpAnalysis: Heap dumps of the workers, analysed as they arrive' = 'needs real .NET dumps (the emulator''s Windows dumps are made-up bytes)'
        'Get-KuduDumpAnalysis: The biggest types, as dumpheap -stat' = 'reads a named Linux core dump of a real app'
        'Get-KuduDumpAnalysis: The threads and the exception in flight' = 'reads a named Linux core dump of a real app'
        'Get-KuduDumpAnalysis: Only the threads that hold an exception' = 'reads a named Linux core dump of a real app'
        'Get-KuduDumpAnalysis: A dump from a machine whose runtime is not installed here' = 'reads a named Linux core dump and a runtime folder of another machine'
        'Invoke-FunctionAppDump: An Azure Automation runbook started by an alert''s webhook' = 'an Azure Automation runbook: Get-AutomationVariable and an alert''s $WebhookData'
        'Invoke-FunctionAppDump: Heap dumps of every function app of a resource group' = 'needs the Az.Functions module (Get-AzFunctionApp) and an Azure sign-in'
        'Invoke-FunctionAppDump: One app by resource id, into blob storage with a connection string' = 'needs the SecretManagement module (Get-Secret) and a storage account'
        'Invoke-FunctionAppDump: See what an alert would dump, without freezing anything' = 'needs a saved alert payload (./alert.json); AlertInstance.Tests.ps1 runs alerts'
        'Invoke-FunctionAppDump: Watch for the next 15 minutes, dump the worker when it crosses the line' = 'an Azure Automation runbook: an alert''s $WebhookData and a blob container'
        'New-KuduSession: Use an Entra ID token from Azure PowerShell for a deployment slot' = 'needs Az.Accounts (Get-AzAccessToken) and an Azure sign-in'
        'New-KuduSession: Connect with a downloaded publish profile' = 'needs a publish profile downloaded from the portal'
        'New-KuduSession: Connect to an app whose SCM host cannot be derived from its name' = 'names a real SCM host in Azure'
        'New-KuduSession: Open a session for every web app of a resource group' = 'needs Az.Resources (Get-AzResource) and an Azure sign-in'
        'Save-KuduProcessDump: Stream heap dumps into a blob container through a SAS' = 'needs Az.Storage (New-AzStorageContext) and a storage account'
        'Save-KuduProcessDump: Use a storage connection string kept in a secret vault' = 'needs the SecretManagement module (Get-Secret) and a storage account'
        'Save-KuduProcessDump: Sign in to storage with the session''s Azure identity, no SAS' = 'needs an Azure Storage account that trusts the identity'
        'Watch-KuduProcess: Heap dump of the worker that leaks, on whichever instance it is' = 'waits for a leak held for a minute (-For 00:01:00); Watch.Tests.ps1 runs scripted leaks'
        'Watch-KuduProcess: Up to three dumps of a CPU storm, five minutes apart, into blob storage' = 'waits minutes by design (-For 30 s, -Cooldown 5 min, -Timeout 2 h) and needs a blob container'
        'Watch-KuduProcess: See what fired, and why' = 'needs instances whose workers cross 500 threads and 1000 handles; Watch.Tests.ps1 runs such triggers'
        'Watch-KuduProcess: How the CPU percent was computed' = 'needs a CPU storm held for 2 s; Watch.Tests.ps1 runs a scripted one'
        'Save-KuduProcessDump: A full dump, confirmed first' = 'asks the reader to confirm (-Confirm)'
        'Remove-KuduSession: See what would be closed' = 'names the session ids 1 and 3 of the reader''s own shell'
        'Save-KuduProcessProfile: Profile every app worker at once into blob storage' = 'needs a storage account (a SAS of a real container)'
        'Stop-KuduProcess: Dump a hot worker, then recycle it' = 'needs a worker held above 90 % CPU; ProcessOps.Tests.ps1 runs the dump-then-stop pipeline'
    }
    # Examples whose whole point is a side effect or a warning: they write nothing to the pipeline.
    $script:Quiet = @{
        'Remove-KuduSession: Close every session' = 'closes sessions'
        'Remove-KuduSession: Close the sessions of some sites' = 'closes sessions'
        'Remove-KuduSession: See what would be closed' = '-WhatIf says what it would close, on the host'
        'Save-KuduProcessDump: See what would be dumped' = '-WhatIf says what it would dump, on the host'
        'Save-KuduProcessDump: Keep going past failures and report them by ErrorId' = 'reports failures by ErrorId: against a healthy emulator there are none'
        'Watch-KuduProcess: Watch one process by id, and see each sample''s faults' = 'its point is -Verbose: each sample and fault'
        'Stop-KuduProcess: See what would be stopped' = '-WhatIf says what it would stop, on the host'
    }
    $manifest = if ($env:KUDU_TEST_MODULE) { $env:KUDU_TEST_MODULE } else { Join-Path $PSScriptRoot '../../out/KuduDiagnostics/KuduDiagnostics.psd1' }
    Import-Module $manifest -Force
    $script:Examples = foreach ($command in (Get-Command -Module KuduDiagnostics -CommandType Cmdlet | Sort-Object Name)) {
        $n = 0
        foreach ($example in @((Get-Help $command.Name -Full).examples.example)) {
            $n++
            # Keyed by title, not number: inserting an example must not move another's skip reason onto it.
            $title = ([string] $example.title) -replace '^-+\s*Example \d+:\s*', '' -replace '\s*-+$', ''
            $key = "$($command.Name): $title"
            @{ Key = $key; Command = $command.Name; Number = $n; Code = [string] $example.code
               Skip = $Skipped[$key]; Quiet = $Quiet.ContainsKey($key) }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # demo.json's contoso-func (its instance and process ids are the ones the pages show), with smaller dumps.
    # A user-assigned identity of this file's own: Azure.Identity caches managed-identity tokens per process, and a
    # token of this emulator must not reach another file's.
    $script:Identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $scenario = @{
        identity = @{ userAssigned = @($Identity) }
        resourceGroup = 'rg-prod'
        sites = @(
            @{ name = 'contoso-func'; kind = 'functionapp'; sku = 'ElasticPremium'; instanceCount = 3; appWorkers = 2; extraProcesses = @('dotnet')
               dump = @{ sizes = @{ default = 1048576 } } }
            @{ name = 'contoso'; kind = 'app'; instanceCount = 2; extraProcesses = @('dotnet'); dump = @{ sizes = @{ default = 1048576 } } }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $script:Work = New-TestFolder

    function Invoke-HelpExample {
        <# Runs one example's code in a fresh folder with the contoso-func session as the default; returns its output. #>
        param([string] $Code)
        # A session to contoso, then one to contoso-func through Resource Manager: the newest is the default.
        Remove-KuduSession -All -Confirm:$false
        $contoso = Get-TestSite $emulator 'contoso'
        New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -Credential (New-TestCredential $contoso) | Out-Null
        $siteId = (Get-TestSite $emulator 'contoso-func').resourceId
        New-KuduSession -ResourceId $siteId -UseAzureIdentity -ManagedIdentityClientId $Identity.clientId -ResourceManagerUrl $emulator.armUrl | Out-Null
        # "New-KuduSession -Name <site> -Credential ..." reaches the emulated site of that name.
        $code = [regex]::Replace($Code, 'New-KuduSession -Name (\S+) -Credential', {
                param($m) $s = Get-TestSite $emulator $m.Groups[1].Value
                "New-KuduSession -ScmUri '$($s.scmUrl)' -Name $($m.Groups[1].Value) -Credential" })
        $folder = Join-Path $Work ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory $folder | Out-Null
        Push-Location $folder
        $defaults = $global:PSDefaultParameterValues.Clone()
        try {
            $global:PSDefaultParameterValues['*-Kudu*:Confirm'] = $false
            $global:PSDefaultParameterValues['Invoke-FunctionAppDump:Confirm'] = $false
            $global:PSDefaultParameterValues['New-KuduSession:ResourceManagerUrl'] = $emulator.armUrl
            if ($code -match 'New-KuduSession[^\n]*-UseAzureIdentity') { $global:PSDefaultParameterValues['New-KuduSession:ManagedIdentityClientId'] = $Identity.clientId }
            if ($code -match 'Invoke-FunctionAppDump[^\n]*-ResourceId') {
                $global:PSDefaultParameterValues['Invoke-FunctionAppDump:ResourceManagerUrl'] = $emulator.armUrl
                $global:PSDefaultParameterValues['Invoke-FunctionAppDump:ManagedIdentityClientId'] = $Identity.clientId
            }
            $global:PSDefaultParameterValues['Watch-KuduProcess:Timeout'] = [timespan]::FromSeconds(3)
            $global:PSDefaultParameterValues['Watch-KuduProcess:Interval'] = [timespan]::FromSeconds(1)
            $credentials = @{}
            foreach ($s in $emulator.Sites) { $credentials[$s.name] = New-TestCredential $s }
            $run = [scriptblock]::Create("function Get-Credential { param([string] `$Message) `$credentials['contoso'] }`n" + $code)
            # Errors stop the example: each is a failure of the page.
            $ErrorActionPreference = 'Stop'
            @(& $run)
        }
        finally {
            $global:PSDefaultParameterValues.Clear()
            foreach ($k in $defaults.Keys) { $global:PSDefaultParameterValues[$k] = $defaults[$k] }
            Pop-Location
        }
    }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
    if ($Work) { Remove-Item -Recurse -Force $Work -ErrorAction Ignore }
}

Describe 'Every example of the built help runs' {
    It 'finds the examples in the built help (<_.Count> of them)' -ForEach @(, @($Examples)) {
        $_.Count | Should -BeGreaterOrEqual 50
    }

    It '<Key> runs against the emulator' -ForEach $Examples {
        if ($Skip) { Set-ItResult -Skipped -Because $Skip; return }
        $output = Invoke-HelpExample $Code
        if (-not $Quiet) { $output | Should -Not -BeNullOrEmpty -Because "the example promises output:`n$Code" }
    }
}

Describe 'Get-Help -Online' {
    It 'opens the module''s own page for <_>' -ForEach @('Get-KuduProcess', 'Save-KuduProcessDump', 'Watch-KuduProcess', 'Get-KuduDumpAnalysis') {
        $uri = @((Get-Help $_ -Full).relatedLinks.navigationLink | Where-Object { $_.uri })[0].uri
        $uri | Should -Be "https://github.com/kududiagnostics/KuduDiagnostics/blob/main/docs/$_.md"
    }
}

Describe 'The example runner''s own lists' {
    # A renamed example would otherwise lose its skip reason silently and run (or its quiet mark, and fail).
    It 'names only examples the built help has' -TestCases @(@{ Listed = @($Skipped.Keys) + @($Quiet.Keys); Known = @($Examples | ForEach-Object { $_.Key }) }) {
        $Listed.Count | Should -BeGreaterThan 20
        @($Listed | Where-Object { $_ -notin $Known }) | Should -BeNullOrEmpty
    }

    It 'gives every example of a cmdlet its own title' -TestCases @(@{ Known = @($Examples | ForEach-Object { $_.Key }) }) {
        @($Known | Group-Object | Where-Object Count -gt 1 | ForEach-Object Name) | Should -BeNullOrEmpty
    }
}
