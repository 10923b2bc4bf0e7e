BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    if (-not $env:KUDU_TEST_AZURITE_BLOB) { return }
    $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
    $scenario = @{ sites = @(@{ name = 'contoso'; instanceCount = 1; appWorkers = 2; extraProcesses = @()
                dump = @{ sizes = @{ '1' = 3145728; '0x41A25' = 9437184 }; writeDelayMs = 100 } }) }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $session = New-EmulatorSession $emulator 'contoso'

    function New-TestContainerName { 'dumps-' + [guid]::NewGuid().ToString('n').Substring(0, 12) }

    function Assert-BlobMatchesEmulator {
        param($Result, [string] $Container, [int] $DumpType = 1)
        $expected = Get-KuduEmulatorExpectedDump $emulator 'contoso' $Result.Instance $Result.ProcessId $DumpType
        $blob = Get-TestBlob $azurite $Container $Result.BlobName (Join-Path (New-TestFolder) 'blob.dmp')
        $blob.Length | Should -Be $expected.length
        $blob.Sha256 | Should -Be $expected.sha256
        $blob
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Save-KuduProcessDump to Azure Blob Storage' -Skip:(-not $haveAzurite) {
    BeforeEach {
        Reset-KuduEmulator $emulator
        $container = New-TestContainerName
        New-TestContainer $azurite $container
        $processes = @(Get-KuduProcess -Session $session -Name w3wp)
    }

    It 'streams the exact bytes into a blob through a connection string, with metadata' {
        $result = $processes[1] | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container

        $result | Should -BeOfType ([KuduDiagnostics.KuduDumpResult])
        $result.Path | Should -BeNullOrEmpty
        $result.BlobName | Should -Match "^\d{4}-\d{2}-\d{2}/contoso_[0-9a-f]{6}_w3wp_$($processes[1].Id)_\d{8}T\d{6}\.\d{3}Z_mini\.dmp$"
        $result.BlobUri.ToString() | Should -Be "$($azurite.BlobEndpoint)/$container/$($result.BlobName)"
        $blob = Assert-BlobMatchesEmulator $result $container
        $blob.ContentType | Should -Be 'application/octet-stream'
        $blob.Metadata['site'] | Should -Be 'contoso'
        $blob.Metadata['instance'] | Should -Be $processes[1].Instance
        $blob.Metadata['processname'] | Should -Be 'w3wp'
        $blob.Metadata['processid'] | Should -Be "$($processes[1].Id)"
        $blob.Metadata['dumptype'] | Should -Be 'mini'
        [datetime]::Parse($blob.Metadata['capturetimeutc']).ToUniversalTime() | Should -Be $result.CaptureTimeUtc
    }

    It 'writes through a container SAS with only create and write permissions, under -BlobPrefix' {
        $sasUri = [uri]"$($azurite.BlobEndpoint)/$($container)?$(New-TestContainerSas -Container $container -Permissions cw)"

        $results = @($processes | Save-KuduProcessDump -BlobContainerUri $sasUri -BlobPrefix 'incident-42/' -DumpType Heap -IncludeScmSite)

        $results | Should -HaveCount 3
        (Get-KuduEmulatorStats $emulator 'contoso').maxConcurrentDumps | Should -Be 1
        foreach ($r in $results) {
            $r.BlobName | Should -BeLike 'incident-42/*_heap.dmp'
            $r.BlobUri.Query | Should -BeNullOrEmpty -Because 'the SAS never leaves the command'
            Assert-BlobMatchesEmulator $r $container -DumpType 0x41A25 | Out-Null
        }
        @(Get-TestBlobList $azurite $container) | Should -HaveCount 3
    }

    It 'leaves no blob when the connection drops mid-stream, and reports it' {
        Set-KuduEmulatorFault $emulator 'contoso' @(@{ route = 'dump'; action = 'drop'; afterBytes = 1000000 })
        try {
            $processes[1] | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -ErrorVariable err -ErrorAction SilentlyContinue
        }
        finally { Set-KuduEmulatorFault $emulator 'contoso' @() }

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpConnectionDropped,*'
        @(Get-TestBlobList $azurite $container) | Should -HaveCount 0
    }

    It 'keeps an existing blob without -Force, and replaces it with -Force' {
        Reset-KuduEmulator $emulator
        # Names carry the capture millisecond: occupy every name of a window that starts once they are all there.
        $sas = New-TestAccountSas
        $start = [datetime]::UtcNow.AddSeconds(15)
        $names = foreach ($ms in 0..2000) {
            $t = $start.AddMilliseconds($ms)
            '{0}/contoso_{1}_w3wp_{2}_{3}_mini.dmp' -f $t.ToString('yyyy-MM-dd'), $processes[1].Instance.Substring(0, 6), $processes[1].Id, $t.ToString("yyyyMMdd'T'HHmmss'.'fff'Z'")
        }
        $http = [Net.Http.HttpClient]::new()
        try {
            foreach ($batch in 0..([Math]::Ceiling($names.Count / 100) - 1)) {
                $puts = foreach ($n in $names[($batch * 100)..([Math]::Min($names.Count, ($batch + 1) * 100) - 1)]) {
                    $request = [Net.Http.HttpRequestMessage]::new('PUT', "$($azurite.BlobEndpoint)/$container/$($n)?$sas")
                    $request.Headers.Add('x-ms-blob-type', 'BlockBlob'); $request.Headers.Add('x-ms-version', '2019-12-12')
                    $request.Content = [Net.Http.StringContent]::new('KEEP ME')
                    $http.SendAsync($request)
                }
                [Threading.Tasks.Task]::WaitAll([Threading.Tasks.Task[]] @($puts))
                $puts | ForEach-Object { $_.Result.EnsureSuccessStatusCode() | Out-Null }
            }
        }
        finally { $http.Dispose() }
        $wait = $start.AddMilliseconds(100) - [datetime]::UtcNow
        $wait.TotalSeconds | Should -BeGreaterThan 0 -Because 'the decoys must be there before their window starts'
        Start-Sleep -Milliseconds $wait.TotalMilliseconds

        $processes[1] | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -ErrorVariable err -ErrorAction SilentlyContinue
        # Within the same window, while the names are still occupied.
        $dumpsBeforeForce = (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests
        $forced = $processes[1] | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -Force

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpTargetExists,*'
        $dumpsBeforeForce | Should -Be 0
        foreach ($n in $names | Where-Object { $_ -ne $forced.BlobName } | Get-Random -Count 20) {
            (Get-TestBlob $azurite $container $n (Join-Path (New-TestFolder) 'b')).Length | Should -Be 7
        }
        @(Get-TestBlobList $azurite $container | Where-Object { $_ -in $names }) | Should -HaveCount $names.Count

        $forced.BlobName | Should -BeIn $names
        Assert-BlobMatchesEmulator $forced $container | Out-Null
    }

    It 'creates the container only when asked' {
        $missing = New-TestContainerName
        $processes[1] | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $missing -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'BlobContainerNotFound,*'
        $err[0].Exception.Message | Should -BeLike '*-CreateContainer*'
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0

        $result = $processes[1] | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $missing -CreateContainer
        Assert-BlobMatchesEmulator $result $missing | Out-Null
    }

    It 'reports <Case> clearly, without the secret' -ForEach @(
        @{ Case = 'a SAS without write permission'; ErrorId = 'BlobAccessDenied'; Message = '*sp=cw*'; Kind = 'readSas' }
        @{ Case = 'an expired SAS'; ErrorId = 'BlobAccessDenied'; Message = '*expired*'; Kind = 'expiredSas' }
        @{ Case = 'an unreachable endpoint'; ErrorId = 'BlobEndpointUnreachable'; Message = '*Cannot reach blob storage*'; Kind = 'unreachable' }
        @{ Case = 'a container URI without SAS on a Basic session'; ErrorId = 'DumpDestinationInvalid'; Message = '*has no SAS*-UseAzureIdentity*'; Kind = 'noSas' }
    ) {
        $secret = $null
        $uri = switch ($Kind) {
            'readSas' { $secret = New-TestContainerSas -Container $container -Permissions r; "$($azurite.BlobEndpoint)/$($container)?$secret" }
            'expiredSas' { $secret = New-TestContainerSas -Container $container -Permissions cw -Expiry ([datetime]::UtcNow.AddHours(-1)); "$($azurite.BlobEndpoint)/$($container)?$secret" }
            'unreachable' { $secret = New-TestContainerSas -Container $container; "http://127.0.0.1:$(Get-FreeTcpPort)/devstoreaccount1/$($container)?$secret" }
            'noSas' { "$($azurite.BlobEndpoint)/$container" }
        }

        $results = @($processes | Save-KuduProcessDump -BlobContainerUri $uri -IncludeScmSite -ErrorVariable err -ErrorAction SilentlyContinue)

        $results | Should -HaveCount 0
        $err | Should -HaveCount 3 -Because 'each piped process gets its own error'
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err[0].Exception.Message | Should -BeLike $Message
        if ($secret) {
            $signature = ($secret -split '&' | Where-Object { $_ -like 'sig=*' }).Substring(4)
            ($err | Format-List * -Force | Out-String) + ($err | ForEach-Object { $_.Exception.ToString() }) | Should -Not -BeLike "*$signature*"
        }
        @(Get-TestBlobList $azurite $container) | Should -HaveCount 0
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0 -Because 'no process is frozen for a dump that cannot be stored'
    }

    It 'stops at once on a malformed connection string, showing none of it' {
        $bad = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=not-base64-Secret!!;BlobEndpoint=nonsense'
        { $processes | Save-KuduProcessDump -ConnectionString $bad -Container $container -ErrorAction Stop } |
            Should -Throw -ErrorId 'BlobConnectionStringInvalid,KuduDiagnostics.Commands.SaveKuduProcessDumpCommand'
        try { $processes | Save-KuduProcessDump -ConnectionString $bad -Container $container -ErrorAction Stop } catch { $caught = $_ }
        ($caught | Format-List * -Force | Out-String) + $caught.Exception.ToString() | Should -Not -BeLike '*Secret!!*'
        (Get-KuduEmulatorStats $emulator 'contoso').dumpRequests | Should -Be 0
    }

    It 'never shows the SAS in any of the six streams' {
        $sas = New-TestContainerSas -Container $container -Permissions cw
        $readOnly = New-TestContainerSas -Container $container -Permissions r
        $signatures = foreach ($s in $sas, $readOnly) { ($s -split '&' | Where-Object { $_ -like 'sig=*' }).Substring(4) }
        $DebugPreference = 'Continue'
        $captured = & {
            $processes | Save-KuduProcessDump -BlobContainerUri "$($azurite.BlobEndpoint)/$($container)?$sas" -IncludeScmSite -Verbose -Debug
            Write-Information 'information'
            Write-Warning 'warning'
            # Refused: the error must not echo the SAS either.
            $processes[0] | Save-KuduProcessDump -BlobContainerUri "$($azurite.BlobEndpoint)/$($container)?$readOnly" -IncludeScmSite -Verbose -Debug -ErrorAction Continue
        } *>&1
        $text = ($captured | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() } else { $_ | Format-List * | Out-String } }) -join "`n"

        @($captured | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] }) | Should -HaveCount 3
        @($captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 1
        @($captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }) | Should -Not -BeNullOrEmpty
        @($captured | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }) | Should -Not -BeNullOrEmpty
        $text | Should -BeLike "*$container*"
        foreach ($signature in $signatures) {
            $text | Should -Not -BeLike "*$signature*"
            $text | Should -Not -BeLike "*$([Uri]::UnescapeDataString($signature))*"
        }
    }
}
