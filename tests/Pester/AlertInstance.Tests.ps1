# Issue 17: an alert split by the Instance dimension names the worker's machine name; Invoke-FunctionAppDump dumps
# exactly that instance, and -Instance takes machine names everywhere.
BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # A user-assigned identity of this file's own: Azure.Identity caches managed-identity tokens per process, and
    # another file's emulator signs its tokens with another key.
    $identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $scenario = @{
        identity = @{ userAssigned = @($identity) }
        sites    = @(@{ name = 'contoso'; instanceCount = 3; appWorkers = 2; extraProcesses = @(); dump = @{ sizes = @{ default = 65536 } } })
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $contoso = Get-TestSite $emulator 'contoso'
    $id = @{ UseAzureIdentity = $true; ManagedIdentityClientId = $identity.clientId; ResourceManagerUrl = $emulator.armUrl }
    $arm = New-KuduSession -ResourceId $contoso.resourceId @id
    $instances = @(Get-KuduInstance -Session $arm)
    $machines = @($instances | ForEach-Object MachineName)
    $plan = $contoso.resourceId -replace '/providers/Microsoft.Web/sites/.*$', '/providers/Microsoft.Web/serverfarms/contoso-plan'
    $folder = New-TestFolder

    function New-AlertBody {
        <# The common alert schema of a metric alert split by Instance: one condition per entry of -Conditions. #>
        param([string[]] $Targets, [object[]] $Conditions)
        $allOf = @(foreach ($names in $Conditions) {
                @{ metricName = 'MemoryWorkingSet'; metricNamespace = 'Microsoft.Web/sites'; operator = 'GreaterThan'; threshold = '1500000000'
                   dimensions = @(@{ name = 'ResourceId'; value = 'contoso.azurewebsites.net' }) + @($names | ForEach-Object { @{ name = 'Instance'; value = [string] $_ } }) }
            })
        @{ schemaId = 'azureMonitorCommonAlertSchema'
           data     = @{ essentials   = @{ alertRule = 'contoso memory'; monitorCondition = 'Fired'; alertTargetIDs = @($Targets) }
                         alertContext = @{ conditionType = 'MultipleResourceMultipleMetricCriteria'; condition = @{ windowSize = 'PT5M'; allOf = $allOf } } } } |
            ConvertTo-Json -Depth 12
    }

    function Invoke-AlertDump {
        param([string] $Body, [hashtable] $Extra = @{})
        # A folder per run: runs within one second would name their dumps alike.
        Invoke-FunctionAppDump -WebhookData @{ RequestBody = $Body } -Path (Join-Path $folder ([guid]::NewGuid().ToString('n'))) -Confirm:$false @id @Extra
    }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
    if ($folder) { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
}

Describe 'An alert split by Instance dumps the worker it names' {
    BeforeEach { Reset-KuduEmulator $emulator }

    It 'dumps only the app workers of the named instance, for each instance in turn' {
        $machines | Should -HaveCount 3
        foreach ($i in 0..2) {
            Reset-KuduEmulator $emulator
            $results = @(Invoke-AlertDump (New-AlertBody -Targets $contoso.resourceId -Conditions (, @($machines[$i]))))

            $results | Should -HaveCount 2
            $results.Instance | Select-Object -Unique | Should -Be $instances[$i].Instance
            $results.MachineName | Select-Object -Unique | Should -Be $machines[$i]
            $stats = Get-KuduEmulatorStats $emulator 'contoso'
            @($stats.dumps.instance | Select-Object -Unique) | Should -Be @($instances[$i].Instance)
            $stats.maxConcurrentDumps | Should -Be 1
        }
    }

    It 'matches the machine name whatever its case, and says in -Verbose what the alert named and where it went' {
        $lower = $machines[1].ToLowerInvariant()
        $output = @(Invoke-AlertDump (New-AlertBody -Targets $contoso.resourceId -Conditions (, @($lower))) -Extra @{ Verbose = $true } 4>&1)

        $results = @($output | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] })
        $results | Should -HaveCount 2
        $results.Instance | Select-Object -Unique | Should -Be $instances[1].Instance
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain "Alert 'contoso memory' names instance(s) $lower."
        $verbose | Should -Contain "The alert's instance $lower is instance $($instances[1].ShortId) of contoso."
    }

    It 'dumps both instances two conditions name, and only them' {
        $results = @(Invoke-AlertDump (New-AlertBody -Targets $contoso.resourceId -Conditions @($machines[0]), @($machines[2])))

        $results | Should -HaveCount 4
        @($results.Instance | Sort-Object -Unique) | Should -Be @(@($instances[0].Instance, $instances[2].Instance) | Sort-Object)
    }

    It 'dumps nothing when the named instance is gone, and names what there is' {
        Invoke-RestMethod -Method Post -Uri "$($emulator.url)/_emulator/sites/contoso/instances/$($instances[0].Instance)/stop" | Out-Null

        $body = New-AlertBody -Targets $contoso.resourceId -Conditions (, @($machines[0]))
        $results = @(Invoke-FunctionAppDump -WebhookData @{ RequestBody = $body } -Path $folder -Confirm:$false @id -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

        $results | Should -HaveCount 0
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInstanceNotResolved,*'
        $err[0].TargetObject | Should -Be $machines[0]
        $err[0].Exception.Message | Should -BeLike "*'$($machines[0])'*recycled*"
        $err[0].Exception.Message | Should -BeLike "*$($instances[1].ShortId) ($($machines[1]))*$($instances[2].ShortId) ($($machines[2]))*"
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0 -Because 'no other instance is dumped in its place'
    }

    It 'dumps every instance when -AllInstances is given, whatever the alert names' {
        $results = @(Invoke-AlertDump (New-AlertBody -Targets $contoso.resourceId -Conditions (, @($machines[0]))) -Extra @{ AllInstances = $true })

        $results | Should -HaveCount 6
        @($results.Instance | Select-Object -Unique) | Should -HaveCount 3
    }

    It 'takes the site from -ResourceId and the worker from a plan alert' {
        $results = @(Invoke-AlertDump (New-AlertBody -Targets $plan -Conditions (, @($machines[2]))) -Extra @{ ResourceId = $contoso.resourceId })

        $results | Should -HaveCount 2
        $results.Instance | Select-Object -Unique | Should -Be $instances[2].Instance
        $results.SiteName | Select-Object -Unique | Should -Be 'contoso'
    }

    It 'says to pass -ResourceId for a plan alert without a site' {
        $body = New-AlertBody -Targets $plan -Conditions (, @($machines[2]))
        Invoke-FunctionAppDump -WebhookData @{ RequestBody = $body } -Path $folder -Confirm:$false @id -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAlertNamesNoSite,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike '*serverfarms/contoso-plan*names no site*-ResourceId*'
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0
    }

    It 'writes the machine name into blob metadata' -Skip:(-not $haveAzurite) {
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
        $container = 'alert-' + [guid]::NewGuid().ToString('n').Substring(0, 10)
        New-TestContainer $azurite $container

        $results = @(Invoke-FunctionAppDump -WebhookData @{ RequestBody = (New-AlertBody -Targets $contoso.resourceId -Conditions (, @($machines[1]))) } `
                -ConnectionString $azurite.ConnectionString -Container $container -Confirm:$false @id)

        $results | Should -HaveCount 2
        foreach ($r in $results) {
            (Get-TestBlob $azurite $container $r.BlobName (Join-Path $folder 'blob.dmp')).Metadata['machinename'] | Should -Be $machines[1]
        }
    }
}

Describe '-Instance takes machine names everywhere' {
    BeforeEach { Reset-KuduEmulator $emulator }

    It 'lists, details and dumps the instance a machine name names' {
        $processes = @(Get-KuduProcess -Session $arm -Instance $machines[2].ToLowerInvariant() -Name w3wp)
        $processes | Should -Not -BeNullOrEmpty
        $processes.Instance | Select-Object -Unique | Should -Be $instances[2].Instance
        $processes.MachineName | Select-Object -Unique | Should -Be $machines[2]

        $worker = $processes | Where-Object { -not $_.IsScmSite } | Select-Object -First 1
        (Get-KuduProcessDetail -Session $arm -Instance $machines[2] -Id $worker.Id).MachineName | Should -Be $machines[2]
        $dump = Save-KuduProcessDump -Session $arm -Instance $machines[2] -Id $worker.Id -Path $folder -Confirm:$false
        $dump.Instance | Should -Be $instances[2].Instance
        $dump.MachineName | Should -Be $machines[2]
    }

    It 'refuses an unknown machine name with the instances there are' {
        Get-KuduProcess -Session $arm -Instance 'RD00NOSUCHBOX' -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInstanceNotResolved,*'
        $err[0].Exception.Message | Should -BeLike "*'RD00NOSUCHBOX'*$($machines[0])*"
    }
}
