# Issue 13, point 7: every default table fits an 80-column console, with no header wrapped and no value cut.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # A user-assigned identity of this file's own: Azure.Identity caches managed-identity tokens per process.
    $identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $scenario = @{
        identity = @{ userAssigned = @($identity) }
        sites = @(
            @{ name = 'contoso-func'; kind = 'functionapp'; instanceCount = 2; appWorkers = 1; extraProcesses = @('dotnet')
               dump = @{ sizes = @{ default = 1048576 } } }
            @{ name = 'contoso-func'; slot = 'staging'; kind = 'functionapp'; instanceCount = 1; appWorkers = 1; extraProcesses = @() }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $func = Get-TestSite $emulator 'contoso-func'
    $staging = Get-TestSite $emulator 'contoso-func-staging'
    Remove-KuduSession -All -Confirm:$false
    $basic = New-EmulatorSession $emulator 'contoso-func'
    $slotSession = New-KuduSession -ResourceId $staging.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
    $armSession = New-KuduSession -ResourceId $func.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
    $folder = New-TestFolder

    function Assert-FitsEightyColumns {
        param([Parameter(Mandatory)] [object[]] $InputObject, [string[]] $Whole = @(), [string[]] $Headers = @())
        # A fixed 80-column width, as a console of that size renders the default view.
        $text = $InputObject | Out-String -Width 80
        $lines = $text -split "`r?`n"
        foreach ($line in $lines) {
            $line.Length | Should -BeLessOrEqual 80 -Because "'$line' must fit"
        }
        $text | Should -Not -BeLike '*…*' -Because 'no value is cut'
        $text | Should -Not -BeLike '*...*'
        foreach ($value in $Whole) { $text | Should -BeLike "*$value*" -Because "'$value' must show whole, on one line" }
        $headerLine = $lines | Where-Object { $_.Trim() } | Select-Object -First 1
        foreach ($h in $Headers) { $headerLine | Should -Match "(^|\s)$([regex]::Escape($h))(\s|$)" -Because "the header '$h' must not wrap" }
        $text
    }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Default tables at 80 columns' {
    It 'fits the sessions table, with the instance each session stays on' {
        $sessions = @(Get-KuduSession)
        $sessions | Should -HaveCount 3
        Assert-FitsEightyColumns $sessions -Headers 'Id', 'Site', 'Instance', 'Authentication', 'UserName' -Whole @(
            'contoso-func/staging', 'AzureIdentity', $basic.PinnedInstance.Substring(0, 6), $basic.UserName)
    }

    It 'fits the instances table' {
        $instances = @(Get-KuduInstance -Session $armSession)
        Assert-FitsEightyColumns $instances -Headers 'Site', 'Instance', 'MachineName', 'State' -Whole ($instances.ShortId + 'READY')
    }

    It 'fits the processes table, marking the SCM worker' {
        $processes = @(Get-KuduProcess -Session $basic)
        $text = Assert-FitsEightyColumns $processes -Headers 'Site', 'Instance', 'Id', 'Name', 'Scm', 'UserName' -Whole @('IIS APPPOOL\~1contoso-func', 'IIS APPPOOL\contoso-func')
        ($processes | Where-Object IsScmSite).UserName | Should -Be 'IIS APPPOOL\~1contoso-func'
        $text | Should -Match 'w3wp\s+True\s+IIS APPPOOL\\~1contoso-func'
    }

    It 'fits the details table' {
        $details = @(Get-KuduProcess -Session $basic | Get-KuduProcessDetail)
        Assert-FitsEightyColumns $details -Headers 'Instance', 'Id', 'Name', 'Scm', 'WS(MB)', 'PM(MB)', 'CPU(s)', 'Threads', 'Started(UTC)' -Whole ($details.Name)
    }

    It 'fits the dump results table, with the whole file name and units in the headers' {
        $results = @(Get-KuduProcess -Session $basic -Name w3wp | Save-KuduProcessDump -Path $folder -Confirm:$false -WarningAction SilentlyContinue)
        $results | Should -HaveCount 1
        Assert-FitsEightyColumns $results -Headers 'Size(MB)', 'Secs', 'MB/s', 'File' -Whole ([IO.Path]::GetFileName($results[0].Path))
    }

    It 'fits the Invoke-FunctionAppDump results of every instance' {
        $results = @(Invoke-FunctionAppDump -Session $armSession -AllInstances -Path $folder -Force -Confirm:$false)
        $results | Should -HaveCount 2
        Assert-FitsEightyColumns $results -Headers 'Size(MB)', 'Secs', 'MB/s', 'File' -Whole ($results.Path | ForEach-Object { [IO.Path]::GetFileName($_) })
    }
}
