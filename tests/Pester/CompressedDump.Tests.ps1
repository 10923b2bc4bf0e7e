BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $scenario = @{
        sites = @(
            @{ name = 'contoso'; instanceCount = 1; appWorkers = 1; extraProcesses = @()
               dump = @{ sizes = @{ '1' = 3145728; default = 2097152 }; writeDelayMs = 100 } }
            @{ name = 'big'; instanceCount = 1; appWorkers = 1; extraProcesses = @(); dump = @{ sizes = @{ default = 1073741824 } } }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $session = New-EmulatorSession $emulator 'contoso'
    $worker = Get-KuduProcess -Session $session -Name w3wp | Where-Object { -not $_.IsScmSite } | Select-Object -First 1

    # The zip itself, as Kudu sends it (-Format Zip keeps it): its entries are what the unpacked files must equal.
    $zipFolder = New-TestFolder
    $zipPath = ($worker | Save-KuduProcessDump -Path $zipFolder -Format Zip).Path
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    function Get-ZipEntrySha256([string] $Name) {
        $zip = [IO.Compression.ZipFile]::OpenRead($zipPath)
        try {
            $stream = $zip.GetEntry($Name).Open()
            try { [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($stream)).ToLowerInvariant() } finally { $stream.Dispose() }
        }
        finally { $zip.Dispose() }
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Save-KuduProcessDump -Compress to disk' {
    BeforeEach {
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'contoso'
        $folder = New-TestFolder
    }

    It 'unpacks Kudu''s zip into the very dump a raw transfer saves, with sos.dll and mscordacwks.dll beside it' {
        $raw = $worker | Save-KuduProcessDump -Path (New-TestFolder)
        $result = $worker | Save-KuduProcessDump -Path $folder -Compress

        $result.Path | Should -BeLike '*_mini.dmp'
        Get-Sha256 $result.Path | Should -Be (Get-Sha256 $raw.Path)
        Get-Sha256 $result.Path | Should -Be (Get-KuduEmulatorExpectedDump $emulator 'contoso' $result.Instance $result.ProcessId 1).sha256
        $result.Length | Should -Be 3145728
        $result.WireBytes | Should -Be (Get-Item $zipPath).Length
        $result.SignatureValid | Should -BeTrue
        $result.Extras | Should -Be @("$($result.Path).dac$([IO.Path]::DirectorySeparatorChar)sos.dll", "$($result.Path).dac$([IO.Path]::DirectorySeparatorChar)mscordacwks.dll")
        foreach ($name in 'sos.dll', 'mscordacwks.dll') {
            Get-Sha256 (Join-Path "$($result.Path).dac" $name) | Should -Be (Get-ZipEntrySha256 $name)
        }
        (Get-DumpFiles $folder).Name | Sort-Object | Should -Be @('mscordacwks.dll', 'sos.dll', (Split-Path -Leaf $result.Path) | Sort-Object)
        if (-not $IsWindows) {
            foreach ($file in @($result.Path) + $result.Extras) { [int](Get-Item $file).UnixFileMode | Should -Be 384 -Because "$file is 0600" }
        }
    }

    It 'says with -Verbose how much came over the wire for how big a dump' {
        $verbose = $worker | Save-KuduProcessDump -Path $folder -Compress -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }

        $line = "$verbose"
        $line | Should -Match '[\d,]+ bytes on the wire unpacked to a 3,145,728-byte dump \(\d+\.\d : 1\) in [\d.]+ s; 2 file\(s\) kept beside it \(sos\.dll, mscordacwks\.dll\)'
    }

    It 'shows the dump''s bytes and the zip''s in its progress' {
        Set-KuduEmulatorSetting $emulator 'contoso' @{ dump = @{ paceBytesPerSecond = 2000000 } }
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Manifest, $Worker, $Folder)
            Import-Module $Manifest
            $Worker | Save-KuduProcessDump -Path $Folder -Compress
        }).AddArgument($ModuleManifest).AddArgument($worker).AddArgument($folder)
        try { $null = $ps.Invoke() } finally { $records = @($ps.Streams.Progress); $ps.Dispose() }

        $records.StatusDescription | Where-Object { $_ -match '^\d\d:\d\d:\d\d [\d.]+ MiB from [\d.]+ MiB zipped, [\d.]+ MB/s$' } | Should -Not -BeNullOrEmpty
    }

    It 'leaves nothing when <Fault> (<Id>)' -ForEach @(
        @{ Fault = 'the archive ends inside the dump'; Rule = @{ route = 'dump'; action = 'zipTruncated'; afterBytes = 1000000 }; Id = 'KuduDumpIncomplete'; Message = '*ended after 1,000,000 bytes, but it has no intact end of central directory record*' }
        @{ Fault = 'the archive ends in its central directory, after every file'; Rule = @{ route = 'dump'; action = 'zipTruncated'; afterBytes = -60 }; Id = 'KuduDumpIncomplete'; Message = '*no intact end of central directory record*' }
        @{ Fault = 'the connection drops mid-archive'; Rule = @{ route = 'dump'; action = 'drop'; afterBytes = 2000000 }; Id = 'KuduDumpConnectionDropped'; Message = '*dropped*' }
        @{ Fault = 'the dump''s CRC-32 is wrong'; Rule = @{ route = 'dump'; action = 'zipBadCrc' }; Id = 'KuduDumpCorrupt'; Message = '*''minidump.dmp'' in the zip from * fails its check: its data gives CRC-32 *, its data descriptor says *' }
        @{ Fault = 'the data descriptor is missing'; Rule = @{ route = 'dump'; action = 'zipNoDescriptor' }; Id = 'KuduDumpCorrupt'; Message = '*has no data descriptor after its data*' }
        @{ Fault = 'the first file is no dump'; Rule = @{ route = 'dump'; action = 'zipNotADump' }; Id = 'KuduDumpNotADump'; Message = '*The first file in the zip from * (''error.txt'') is not a minidump (MDMP)*' }
    ) {
        if ($Rule.ContainsKey('afterBytes') -and $Rule.afterBytes -lt 0) { $Rule.afterBytes = (Get-Item $zipPath).Length + $Rule.afterBytes }
        Set-KuduEmulatorFault $emulator 'contoso' @($Rule)

        $result = $worker | Save-KuduProcessDump -Path $folder -Compress -ErrorVariable err -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err[0].Exception.Message | Should -BeLike $Message
        $err[0].Exception.Message | Should -BeLike "w3wp ($($worker.Id)) on contoso instance *"
        @(Get-ChildItem -LiteralPath $folder -Recurse -Force) | Should -HaveCount 0
    }

    It 'refuses -Compress with -Format Zip before any dump' {
        { $worker | Save-KuduProcessDump -Path $folder -Compress -Format Zip -ErrorAction Stop } | Should -Throw -ErrorId 'DumpFormatConflict,*'
        (Get-KuduEmulatorStats $emulator 'contoso').dumps | Should -HaveCount 0
    }

    It 'unpacks in Invoke-FunctionAppDump too' {
        $result = Invoke-FunctionAppDump -Session $session -Path $folder -Compress -Confirm:$false

        $result.Extras | Should -HaveCount 2
        Get-Sha256 $result.Path | Should -Be (Get-KuduEmulatorExpectedDump $emulator 'contoso' $result.Instance $result.ProcessId 1).sha256
    }

    It 'keeps memory flat on a 1 GiB dump: the peak is within 64 MiB of a raw transfer''s' {
        $big = Get-TestSite $emulator 'big'
        $peaks = foreach ($switch in '', '-Compress') {
            $out = New-TestFolder
            $script = @"
Import-Module '$ModuleManifest'
`$c = [pscredential]::new('$($big.userName)', (ConvertTo-SecureString '$($big.password)' -AsPlainText -Force))
`$s = New-KuduSession -ScmUri '$($big.scmUrl)' -Name big -Credential `$c
`$r = Get-KuduProcess -Session `$s -Name w3wp | Where-Object { -not `$_.IsScmSite } | Select-Object -First 1 | Save-KuduProcessDump -Path '$out' $switch -Confirm:`$false
'LENGTH=' + `$r.Length
'PEAK=' + [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
"@
            $output = Invoke-Pwsh -NoProfile -NonInteractive -Command $script
            Remove-Item -LiteralPath $out -Recurse -Force
            ($output | Where-Object { $_ -like 'LENGTH=*' }) | Should -Be 'LENGTH=1073741824'
            [long](($output | Where-Object { $_ -like 'PEAK=*' }) -replace 'PEAK=')
        }

        $peaks[1] - $peaks[0] | Should -BeLessThan 64MB -Because "raw peaked at $($peaks[0]) bytes, -Compress at $($peaks[1])"
    }
}

Describe 'Save-KuduProcessDump -Compress to Azure Blob Storage' -Skip:(-not $haveAzurite) {
    BeforeAll {
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
    }

    BeforeEach {
        Reset-KuduEmulator $emulator
        Set-KuduEmulatorFault $emulator 'contoso'
        $container = 'zipped-' + [guid]::NewGuid().ToString('n').Substring(0, 12)
        New-TestContainer $azurite $container
    }

    It 'stores the unpacked dump as its blob and the DAC and SOS as blobs beside it' {
        $result = $worker | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -Compress

        $blob = Get-TestBlob $azurite $container $result.BlobName (Join-Path (New-TestFolder) 'blob.dmp')
        $blob.Sha256 | Should -Be (Get-KuduEmulatorExpectedDump $emulator 'contoso' $result.Instance $result.ProcessId 1).sha256
        Get-TestBlobList $azurite $container | Sort-Object | Should -Be (@($result.BlobName, "$($result.BlobName).dac/mscordacwks.dll", "$($result.BlobName).dac/sos.dll") | Sort-Object)
        $result.Extras | Should -Be @("$($azurite.BlobEndpoint)/$container/$($result.BlobName).dac/sos.dll", "$($azurite.BlobEndpoint)/$container/$($result.BlobName).dac/mscordacwks.dll")
        foreach ($name in 'sos.dll', 'mscordacwks.dll') {
            (Get-TestBlob $azurite $container "$($result.BlobName).dac/$name" (Join-Path (New-TestFolder) $name)).Sha256 | Should -Be (Get-ZipEntrySha256 $name)
        }
    }

    It 'leaves no blob when <Action> breaks the archive' -ForEach @(
        @{ Action = 'zipBadCrc'; Id = 'KuduDumpCorrupt' }
        @{ Action = 'zipTruncated'; Id = 'KuduDumpIncomplete' }
    ) {
        $rule = @{ route = 'dump'; action = $Action; afterBytes = (Get-Item $zipPath).Length - 60 }
        Set-KuduEmulatorFault $emulator 'contoso' @($rule)

        $worker | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -Compress -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Get-TestBlobList $azurite $container | Where-Object { $_ -notlike '*.write-check' } | Should -BeNullOrEmpty
    }
}
