# Issue 13, point 7: every default table fits an 80-column console, with no header wrapped and no value cut.
# Issue 13, point 7: every default table fits an 80-column console, with no header wrapped and no value cut.
# Issue 23, point 5: tables group by site and instance (a heading per group, as Get-ChildItem groups by folder), so
# a realistic site name (33 characters) and a long process name (40) keep one line per row.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # A user-assigned identity of this file's own: Azure.Identity caches managed-identity tokens per process.
    $identity = @{ clientId = [guid]::NewGuid().ToString(); principalId = [guid]::NewGuid().ToString() }
    $script:LongSite = 'contoso-orders-api-production-weu'
    $script:LongName = 'Microsoft.Azure.WebJobs.Script.WebHostV4'
    $LongSite.Length | Should -Be 33
    $LongName.Length | Should -Be 40
    function Instance([string] $Machine, [int] $Base) {
        @{ machineName = $Machine
           processes = @(@{ id = $Base; name = 'w3wp'; isScmSite = $true }, @{ id = $Base + 1; name = 'w3wp'; privateMemory = 600MB },
                         @{ id = $Base + 2; name = $LongName; privateMemory = 2GB }) }
    }
    $scenario = @{
        identity = @{ userAssigned = @($identity) }
        sites = @(
            @{ name = 'contoso-func'; kind = 'functionapp'; instanceCount = 2; appWorkers = 1; extraProcesses = @('dotnet')
               dump = @{ sizes = @{ default = 1048576 } } }
            @{ name = 'contoso-func'; slot = 'staging'; kind = 'functionapp'; instanceCount = 1; appWorkers = 1; extraProcesses = @() }
            @{ name = $LongSite; dump = @{ sizes = @{ default = 262144 } }
               instances = @((Instance 'DW1SDWK000ABC' 4100), (Instance 'DW1SDWK000ABD' 5200)) }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
    $env:IDENTITY_HEADER = $emulator.identityHeader
    $func = Get-TestSite $emulator 'contoso-func'
    $staging = Get-TestSite $emulator 'contoso-func-staging'
    $long = Get-TestSite $emulator $LongSite
    Remove-KuduSession -All -Confirm:$false
    $basic = New-EmulatorSession $emulator 'contoso-func'
    $slotSession = New-KuduSession -ResourceId $staging.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
    $armSession = New-KuduSession -ResourceId $func.resourceId -UseAzureIdentity -ManagedIdentityClientId $identity.clientId -ResourceManagerUrl $emulator.armUrl
    $longSession = New-EmulatorSession $emulator $LongSite
    $folder = New-TestFolder

    function Assert-FitsEightyColumns {
        <#
            Renders as an 80-column console does and checks: every line fits, nothing is cut, the given values show
            whole, the headers do not wrap, and with -Rows each object takes exactly one line under its heading.
        #>
        param([Parameter(Mandatory)] [object[]] $InputObject, [string[]] $Whole = @(), [string[]] $Headers = @(), [string[]] $Headings = @(), [switch] $OneLinePerRow)
        $text = $InputObject | Out-String -Width 80
        $lines = $text -split "`r?`n"
        foreach ($line in $lines) {
            $line.Length | Should -BeLessOrEqual 80 -Because "'$line' must fit"
        }
        $text | Should -Not -BeLike '*…*' -Because 'no value is cut'
        $text | Should -Not -BeLike '*...*'
        foreach ($value in $Whole) { $text | Should -BeLike "*$value*" -Because "'$value' must show whole, on one line" }
        foreach ($heading in $Headings) { $lines.Trim() | Should -Contain $heading -Because 'each group has its heading' }
        $headerLines = @(for ($i = 1; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^\s*-+(\s+-+)*\s*$') { $lines[$i - 1] } })
        if ($Headers) {
            $headerLines | Should -Not -BeNullOrEmpty
            foreach ($headerLine in $headerLines) {
                foreach ($h in $Headers) { $headerLine | Should -Match "(^|\s)$([regex]::Escape($h))(\s|$)" -Because "the header '$h' must not wrap" }
            }
        }
        if ($OneLinePerRow) {
            # Everything that is not blank, a heading, a header or its underline is a row: one per object.
            $rows = @($lines | Where-Object { $_.Trim() -and $_ -notmatch '^\s*(Site:|-+(\s+-+)*\s*$)' -and $headerLines -notcontains $_ })
            $rows | Should -HaveCount $InputObject.Count -Because "each of the $($InputObject.Count) objects takes one line:`n$text"
        }
        $text
    }

    function Get-Heading([string] $Site, [string] $Instance, [string] $Machine) {
        "Site: $Site   Instance: $($Instance.Substring(0, 6))$(if ($Machine) { " ($Machine)" })"
    }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Default tables at 80 columns' {
    It 'fits the sessions table, with the instance each session stays on' {
        $sessions = @(Get-KuduSession | Where-Object SiteName -eq 'contoso-func')
        $sessions | Should -HaveCount 3
        Assert-FitsEightyColumns $sessions -Headers 'Id', 'Site', 'Instance', 'Authentication', 'UserName' -Whole @(
            'contoso-func/staging', 'AzureIdentity', $basic.PinnedInstance.Substring(0, 6), $basic.UserName)
    }

    It 'fits the instances table, under a heading with the site' {
        $instances = @(Get-KuduInstance -Session $armSession)
        Assert-FitsEightyColumns $instances -Headers 'Instance', 'MachineName', 'State' -Headings 'Site: contoso-func' -Whole ($instances.ShortId + 'READY') -OneLinePerRow
    }

    It 'groups the processes table by site and instance, marking the SCM worker' {
        $processes = @(Get-KuduProcess -Session $basic)
        $text = Assert-FitsEightyColumns $processes -Headers 'Id', 'Scm', 'Name' -Headings (Get-Heading 'contoso-func' $processes[0].Instance $processes[0].MachineName) -OneLinePerRow
        $scm = $processes | Where-Object IsScmSite
        $scm.UserName | Should -Be 'IIS APPPOOL\~1contoso-func' -Because 'the user name stays on the object'
        $text | Should -Match "\s$($scm.Id)\s+True\s+w3wp"
        $text | Should -Not -Match 'IIS APPPOOL' -Because 'the heading names the site: the rows need not'
    }

    It 'keeps one line per process for a 33-character site and a 40-character process name, on every instance' {
        $processes = @(Get-KuduProcess -Session $longSession -Instance $long.instances)
        $processes | Should -HaveCount 6
        $headings = $long.instances | ForEach-Object { $i = $_; Get-Heading $LongSite $i ($processes | Where-Object Instance -eq $i)[0].MachineName }
        $headings | Should -Contain "Site: $LongSite   Instance: $($long.instances[0].Substring(0, 6)) (DW1SDWK000ABC)"
        Assert-FitsEightyColumns $processes -Headers 'Id', 'Scm', 'Name' -Headings $headings -Whole $LongName -OneLinePerRow
    }

    It 'fits the details table, one line per process, the long name cut only in the table' {
        $details = @(Get-KuduProcess -Session $longSession -Instance $long.instances | Get-KuduProcessDetail)
        $details | Should -HaveCount 6
        $text = $details | Out-String -Width 80
        # The name has what the figures leave; a longer one ends in "…" there, and stays whole on the object.
        ($details | Where-Object Name -eq $LongName) | Should -HaveCount 2
        $short = @($details | Where-Object Name -ne $LongName)
        Assert-FitsEightyColumns $short -Headers 'Id', 'Scm', 'WS(MB)', 'PM(MB)', 'CPU(s)', 'Threads', 'Started(UTC)', 'Name' -Whole 'w3wp' -OneLinePerRow | Out-Null
        $lines = $text -split "`r?`n"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $rows = @($lines | Where-Object { $_ -match '^\s*\d+\s+(True|False)\s' })
        $rows | Should -HaveCount 6 -Because "each detail takes one line:`n$text"
        @($rows | Where-Object { $_ -match 'Microsoft\.Azure\.WebJo.*…$' }) | Should -HaveCount 2 -Because 'a long name is cut in the table'
        @($lines | Where-Object { $_.Trim() -like 'Site: *' }) | Should -HaveCount 2
    }

    It 'fits the dump results table, grouped by instance, with the whole process name' {
        $results = @(Get-KuduProcess -Session $longSession -Instance $long.instances -Name $LongName |
            Save-KuduProcessDump -Path $folder -Confirm:$false -WarningAction SilentlyContinue)
        $results | Should -HaveCount 2
        $headings = $results | ForEach-Object { Get-Heading $LongSite $_.Instance $_.MachineName }
        Assert-FitsEightyColumns $results -Headers 'Id', 'Type', 'Size(MB)', 'Secs', 'MB/s', 'Name' -Headings $headings -Whole $LongName, 'Mini' -OneLinePerRow | Out-Null
        foreach ($path in $results.Path) { $path | Should -Exist -Because 'the path stays on the object' }
    }

    It 'fits the Invoke-FunctionAppDump results of every instance' {
        $results = @(Invoke-FunctionAppDump -Session $armSession -AllInstances -Path $folder -Force -Confirm:$false)
        $results | Should -HaveCount 2
        Assert-FitsEightyColumns $results -Headers 'Id', 'Type', 'Size(MB)', 'Secs', 'MB/s', 'Name' -Whole 'w3wp' -OneLinePerRow | Out-Null
    }

    It 'groups watch firings by instance, one line each, the long name cut only in the table' {
        $firings = @(Watch-KuduProcess -Session $longSession -Instance $long.instances -Name $LongName -PrivateMemoryAbove 1GB -Count 2 -Interval 1 -Timeout 15)
        $firings | Should -HaveCount 2
        $firings.Name | Should -Be @($LongName, $LongName) -Because 'the whole name stays on the object'
        $text = $firings | Out-String -Width 80
        $lines = $text -split "`r?`n"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        foreach ($i in $long.instances) { $lines.Trim() | Should -Contain "Site: $LongSite   Instance: $($i.Substring(0, 6))" }
        $lines | Where-Object { $_ -match 'Id\s+PM\(MB\)\s+WS\(MB\)\s+CPU%\s+Threads\s+Handles\s+Crossed\s+Name$' } | Should -HaveCount 2
        @($lines | Where-Object { $_ -match '^\s*\d+\s+2048\s' }) | Should -HaveCount 2 -Because "each firing takes one line:`n$text"
    }
}
