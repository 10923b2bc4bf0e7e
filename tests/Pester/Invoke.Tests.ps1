BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $principal = '5b9c3c0e-6a1f-4f7e-9f3a-0c2b7d1e4a11'
    $userAssigned = @{ clientId = '0f6b1c2d-3e4f-4a5b-8c9d-aabbccddeeff'; principalId = '7d1e2f3a-4b5c-4d6e-8f90-112233445566' }
    $scenario = @{
        identity = @{ principalId = $principal; userAssigned = @($userAssigned) }
        sites    = @(
            @{ name = 'contoso-func'; kind = 'functionapp'; sku = 'ElasticPremium'; instanceCount = 3; appWorkers = 2; extraProcesses = @('dotnet')
               dump = @{ sizes = @{ default = 1048576 }; writeDelayMs = 150 } }
            @{ name = 'fabrikam-func'; kind = 'functionapp'; instanceCount = 1; appWorkers = 1; extraProcesses = @()
               dump = @{ sizes = @{ default = 1048576 }; writeDelayMs = 1200 } }
            @{ name = 'old-audience'; instanceCount = 1; appWorkers = 1; extraProcesses = @(); acceptedAudiences = @('https://management.azure.com')
               bearerTokens = @(@{ token = 'appservice-audience-token-3c9d'; audience = 'https://appservice.azure.com' }) }
            @{ name = 'locked-down'; instanceCount = 1; authorizedPrincipals = @('00000000-0000-0000-0000-00000000beef') }
            @{ name = 'linux-consumption'; kind = 'functionapp,linux'; os = 'linux'; sku = 'Dynamic' }
            @{ name = 'linux-dedicated'; kind = 'app,linux'; os = 'linux'; sku = 'PremiumV3'; hasScm = $true; instanceCount = 1 }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $contoso = Get-TestSite $emulator 'contoso-func'
    $arm = @{ ResourceManagerUrl = $emulator.armUrl }

    function Get-ExpectedWorkers {
        # The non-SCM w3wp of every instance, read straight from the emulator's Kudu face with Basic auth.
        $basic = New-EmulatorSession $emulator 'contoso-func'
        try {
            @($contoso.instances | ForEach-Object { Get-KuduProcess -Session $basic -Instance $_ -Name w3wp } | Get-KuduProcessDetail | Where-Object { -not $_.IsScmSite })
        }
        finally { $basic | Remove-KuduSession -Confirm:$false }
    }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Azure identity sessions resolved through Resource Manager' {
    It 'reads the SCM host from the site resource and lists every instance' {
        $session = New-KuduSession -ResourceId $contoso.resourceId -UseAzureIdentity @arm

        $session.AuthenticationType | Should -Be 'AzureIdentity'
        $session.ScmUri.Authority | Should -Be ([uri]$contoso.scmUrl).Authority
        $session.ResourceId | Should -Be $contoso.resourceId
        $instances = @(Get-KuduInstance -Session $session)
        $instances.Instance | Should -Be $contoso.instances
        $instances[0].State | Should -Be 'READY'
        $processes = @(Get-KuduProcess -Session $session -AllInstances -Name w3wp)
        $processes | Should -HaveCount 9
        @($processes.Instance | Select-Object -Unique) | Should -HaveCount 3
        $session | Remove-KuduSession -Confirm:$false
    }

    It 'asks for an App Service token, and falls back to the ARM audience when Kudu refuses it' {
        Reset-KuduEmulator $emulator
        $old = Get-TestSite $emulator 'old-audience'
        $session = New-KuduSession -ResourceId $old.resourceId -UseAzureIdentity @arm -Verbose 4>&1 | Tee-Object -Variable messages | Where-Object { $_ -is [KuduDiagnostics.KuduSession] }

        $processes = @(Get-KuduProcess -Session $session -Verbose 4>&1)

        ($processes | Where-Object { $_ -is [KuduDiagnostics.KuduProcess] }) | Should -Not -BeNullOrEmpty
        # Issue 13: New-KuduSession's check is the session's first Kudu request, so the fallback is said there.
        ($messages | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'Kudu refused a token for https://appservice.azure.com (403); trying https://management.azure.com.'
        $stats = Get-KuduEmulatorStats $emulator
        $stats.sites.'old-audience'.statuses.'403' | Should -Be 1
        $session | Remove-KuduSession -Confirm:$false
    }

    It 'refuses a token for the wrong audience with a clear error' {
        $old = Get-TestSite $emulator 'old-audience'
        $token = ConvertTo-SecureString 'appservice-audience-token-3c9d' -AsPlainText -Force

        # Issue 13: New-KuduSession checks at once, so the refusal comes from it.
        $session = New-KuduSession -ScmUri $old.scmUrl -AccessToken $token -ErrorVariable err -ErrorAction SilentlyContinue

        $session | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAccessDenied,*'
        $err[0].Exception.Message | Should -BeLike '*https://appservice.azure.com or https://management.azure.com*'
    }

    It 'signs in as a user-assigned identity with -ManagedIdentityClientId' {
        Reset-KuduEmulator $emulator
        $session = New-KuduSession -ResourceId $contoso.resourceId -UseAzureIdentity -ManagedIdentityClientId $userAssigned.clientId @arm
        @(Get-KuduProcess -Session $session) | Should -Not -BeNullOrEmpty
        $session | Remove-KuduSession -Confirm:$false
    }

    It 'reports <Case> as <ErrorId> and names the fix' -ForEach @(
        @{ Case = 'a resource id that is not a site'; ErrorId = 'InvalidSiteResourceId'; Message = '*Microsoft.Web/sites*'
           Id = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/dumps'; Site = $null }
        @{ Case = 'a site that does not exist'; ErrorId = 'SiteResourceNotFound'; Message = '*Check the subscription, resource group and site name*'
           Id = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.Web/sites/nosuchsite'; Site = $null }
        @{ Case = 'a Linux Consumption app, which has no Kudu'; ErrorId = 'KuduNotAvailable'; Message = '*has no SCM (Kudu) site*Linux Consumption*'; Site = 'linux-consumption' }
        @{ Case = 'an identity without the role'; ErrorId = 'KuduAccessDenied'; Message = '*Website Contributor*'; Site = 'locked-down' }
    ) {
        $resourceId = if ($Site) { (Get-TestSite $emulator $Site).resourceId } else { $Id }
        New-KuduSession -ResourceId $resourceId -UseAzureIdentity @arm -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err[0].Exception.Message | Should -BeLike $Message
        $err[0].TargetObject | Should -Be $resourceId
    }

    It 'explains Kudu''s "Not supported on Linux"' {
        $session = New-KuduSession -ResourceId (Get-TestSite $emulator 'linux-dedicated').resourceId -UseAzureIdentity @arm
        Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduNotSupportedOnLinux,*'
        $err[0].Exception.Message | Should -BeLike '*Not supported on Linux*Windows*'
        $session | Remove-KuduSession -Confirm:$false
    }
}

Describe 'Invoke-FunctionAppDump' {
    BeforeEach {
        Reset-KuduEmulator $emulator
        $folder = New-TestFolder
    }

    It 'dumps exactly the six non-SCM workers of three instances, one at a time, to disk' {
        $expected = Get-ExpectedWorkers
        $expected | Should -HaveCount 6
        Reset-KuduEmulator $emulator

        $output = @(Invoke-FunctionAppDump -ResourceId $contoso.resourceId -UseAzureIdentity -AllInstances -Path $folder @arm -WarningVariable warnings -Verbose 4>&1)
        $results = @($output | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] })
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })

        $results | Should -HaveCount 6
        ($results | ForEach-Object { "$($_.Instance)/$($_.ProcessId)" } | Sort-Object) | Should -Be ($expected | ForEach-Object { "$($_.Instance)/$($_.Id)" } | Sort-Object)
        foreach ($r in $results) {
            $e = Get-KuduEmulatorExpectedDump $emulator 'contoso-func' $r.Instance $r.ProcessId 1
            Get-Sha256 $r.Path | Should -Be $e.sha256
        }
        $stats = Get-KuduEmulatorStats $emulator 'contoso-func'
        $stats.dumpRequests | Should -Be 6
        $stats.maxConcurrentDumps | Should -Be 1
        # Issue 13: leaving the SCM worker out is the documented default, so it is Verbose, not a warning.
        @($verbose | Where-Object { "$_" -like 'Skipped w3wp*SCM*' }) | Should -HaveCount 3
        @($warnings) | Should -HaveCount 0
        Get-DumpFiles $folder | Should -HaveCount 6
    }

    It 'dumps the same six into blob storage' -Skip:(-not $env:KUDU_TEST_AZURITE_BLOB) {
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
        $container = 'invoke-' + [guid]::NewGuid().ToString('n').Substring(0, 10)
        New-TestContainer $azurite $container
        $sasUri = "$($azurite.BlobEndpoint)/$($container)?$(New-TestContainerSas -Container $container -Permissions cw)"

        $results = @(Invoke-FunctionAppDump -ResourceId $contoso.resourceId -UseAzureIdentity -AllInstances -BlobContainerUri $sasUri -BlobPrefix 'alerts' @arm -WarningAction SilentlyContinue)

        $results | Should -HaveCount 6
        @(Get-TestBlobList $azurite $container) | Should -HaveCount 6
        foreach ($r in $results) {
            $r.BlobUri.Query | Should -BeNullOrEmpty
            $blob = Get-TestBlob $azurite $container $r.BlobName (Join-Path $folder 'blob.dmp')
            $blob.Sha256 | Should -Be (Get-KuduEmulatorExpectedDump $emulator 'contoso-func' $r.Instance $r.ProcessId 1).sha256
        }
        (Get-KuduEmulatorStats $emulator 'contoso-func').maxConcurrentDumps | Should -Be 1
    }

    It 'runs from an alert webhook with a managed identity' {
        $body = (Get-Content -Raw (Join-Path $PSScriptRoot 'data/common-alert-fired.json')).Replace('__SITE_ID__', $contoso.resourceId.ToLowerInvariant())
        $webhookData = [pscustomobject]@{ WebhookName = 'dump-on-alert'; RequestBody = $body; RequestHeader = @{ 'Content-Type' = 'application/json' } }

        $results = @(Invoke-FunctionAppDump -WebhookData $webhookData -AllInstances -Path $folder @arm -WarningVariable warnings)

        $results | Should -HaveCount 6
        $results.SiteName | Select-Object -Unique | Should -Be 'contoso-func'
        @($warnings | Where-Object { "$_" -like '*serverfarms/contoso-plan*not an App Service or Functions site*' }) | Should -HaveCount 1
        (Get-KuduEmulatorStats $emulator 'contoso-func').maxConcurrentDumps | Should -Be 1
    }

    It 'does nothing for a resolved alert, and says so' {
        $body = (Get-Content -Raw (Join-Path $PSScriptRoot 'data/common-alert-fired.json')).Replace('__SITE_ID__', $contoso.resourceId).Replace('"Fired"', '"Resolved"')

        $results = @(Invoke-FunctionAppDump -WebhookData @{ RequestBody = $body } -Path $folder @arm -WarningVariable warnings)

        $results | Should -HaveCount 0
        "$warnings" | Should -BeLike "*Alert 'contoso-func high memory' is Resolved, not Fired: nothing to dump.*"
        (Get-KuduEmulatorStats $emulator 'contoso-func').dumpRequests | Should -Be 0
    }

    It 'rejects a webhook body that is not the common alert schema' {
        Invoke-FunctionAppDump -WebhookData @{ RequestBody = '{"context":{"name":"classic alert"}}' } -Path $folder @arm -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduWebhookInvalid,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -BeLike '*common alert schema*'
    }

    It 'takes many sites from the pipeline by their Id and runs them in parallel' {
        $sites = @('contoso-func', 'fabrikam-func') | ForEach-Object { [pscustomobject]@{ Name = $_; Id = (Get-TestSite $emulator $_).resourceId } }

        $results = @($sites | Invoke-FunctionAppDump -UseAzureIdentity -AllInstances -Path $folder @arm -WarningAction SilentlyContinue)

        $results | Should -HaveCount 7
        ($results.SiteName | Sort-Object -Unique) | Should -Be @('contoso-func', 'fabrikam-func')
        $fabrikam = (Get-KuduEmulatorStats $emulator 'fabrikam-func').dumps[0]
        $contosoDumps = (Get-KuduEmulatorStats $emulator 'contoso-func').dumps
        # fabrikam's one slow dump overlapped contoso's run: the sites did not wait for each other.
        ([datetime]$fabrikam.startedUtc) | Should -BeLessThan ([datetime]($contosoDumps.endedUtc | Sort-Object | Select-Object -Last 1))
        ([datetime]($contosoDumps.startedUtc | Sort-Object | Select-Object -First 1)) | Should -BeLessThan ([datetime]$fabrikam.endedUtc)
    }

    It 'takes a site from the pipeline by its Id into blob storage with -ConnectionString and -Container' -Skip:(-not $env:KUDU_TEST_AZURITE_BLOB) {
        # Issue 24: the destinations are parameter sets; the binder must still pick a ResourceId set from the pipe.
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
        $container = 'piped-' + [guid]::NewGuid().ToString('n').Substring(0, 10)
        $site = [pscustomobject]@{ Name = 'fabrikam-func'; Id = (Get-TestSite $emulator 'fabrikam-func').resourceId }

        $results = @($site | Invoke-FunctionAppDump -ConnectionString $azurite.ConnectionString -Container $container -CreateContainer @arm -WarningAction SilentlyContinue)

        $results | Should -HaveCount 1
        $results[0].SiteName | Should -Be 'fabrikam-func'
        @(Get-TestBlobList $azurite $container) | Should -Be @($results[0].BlobName)
    }

    It 'includes the SCM worker only with -IncludeScmSite' {
        $results = @(Invoke-FunctionAppDump -ResourceId $contoso.resourceId -AllInstances -IncludeScmSite -Path $folder @arm)
        $results | Should -HaveCount 9
    }

    It 'dumps nothing with -WhatIf' {
        $results = @(Invoke-FunctionAppDump -ResourceId $contoso.resourceId -AllInstances -Path $folder @arm -WhatIf -WarningAction SilentlyContinue)
        $results | Should -HaveCount 0
        (Get-KuduEmulatorStats $emulator 'contoso-func').dumpRequests | Should -Be 0
    }

    It 'reports a process that fails and still dumps the others' {
        $victim = (Get-ExpectedWorkers)[2]
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'contoso-func' @(@{ route = 'dump'; pid = $victim.Id; instance = $victim.Instance; action = 'status'; status = 500; message = 'Access is denied' })

        $results = @(Invoke-FunctionAppDump -ResourceId $contoso.resourceId -AllInstances -Path $folder @arm -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warnings)

        $results | Should -HaveCount 5
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpFailed,*'
        @($warnings | Where-Object { "$_" -like "Could not dump w3wp ($($victim.Id))*Access is denied*" }) | Should -HaveCount 1
    }

    It 'works with a session given directly' {
        $session = New-EmulatorSession $emulator 'contoso-func'
        $results = @(Invoke-FunctionAppDump -Session $session -Path $folder -WarningAction SilentlyContinue)
        $results | Should -HaveCount 2 -Because 'without -AllInstances, the instance the front end picks'
        @($results.Instance | Select-Object -Unique) | Should -HaveCount 1
        $session | Remove-KuduSession -Confirm:$false
    }
}

Describe 'Invoke-FunctionAppDump with nothing to go on' {
    It 'says what it needs when given no arguments and there is no session' {
        Remove-KuduSession -All -Confirm:$false
        $caught = $null
        try { Invoke-FunctionAppDump -ErrorAction Stop } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'KuduSessionNotFound,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand'
        $caught.Exception.Message | Should -BeLike '*-ResourceId*-Name*-Credential*-PublishSettingsPath*-WebhookData*-Session*New-KuduSession*'
    }
}
