# The module against a Kudu that lies (KuduEmulator --hostile: raw sockets, nothing tidies its answers): a body that
# ends when the connection closes, a redirect, an HTML page, a huge or dripping answer, a bad cookie, control
# characters, malformed JSON. Nothing may end as a "saved" dump that is not whole, nothing may wait forever.
BeforeDiscovery {
    $script:haveAzurite = [bool] $env:KUDU_TEST_AZURITE_BLOB
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $hostile = Start-HostileKudu
    $credential = [pscredential]::new($hostile.userName, (ConvertTo-SecureString $hostile.password -AsPlainText -Force))
    $folder = New-TestFolder

    function New-HostileSession([int] $TimeoutSec = 100) {
        New-KuduSession -ScmUri $hostile.url -Name hostile -Credential $credential -TimeoutSec $TimeoutSec
    }

    function Get-HostileStats { Invoke-RestMethod "$($hostile.url)/_hostile/stats" }

    function Get-ExpectedSha256 {
        $file = Join-Path (New-TestFolder) 'expected.dmp'
        Invoke-WebRequest "$($hostile.url)/_hostile/expected" -OutFile $file
        Get-Sha256 $file
    }

    function Save-HostileDump([string] $Path = (New-TestFolder)) {
        $err = $null
        $result = Get-KuduProcess -Id 4100 | Save-KuduProcessDump -Path $Path -ErrorVariable err -ErrorAction SilentlyContinue
        [pscustomobject]@{ Result = $result; Errors = @($err); Files = @(Get-DumpFiles $Path); Path = $Path }
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($hostile) { Stop-ReadyProcess $hostile }
    if ($folder) { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
}

Describe 'Dumps from a hostile server: only a whole dump is ever saved' {
    BeforeAll {
        Invoke-RestMethod "$($hostile.url)/_hostile/platform?value=windows" | Out-Null
        Invoke-RestMethod "$($hostile.url)/_hostile/dump" | Out-Null
        New-HostileSession | Out-Null
    }
    BeforeEach { Set-HostileCase $hostile -Reset }

    It 'refuses a minidump whose body ends early without Content-Length (<cut> of it), and leaves nothing' -ForEach @(
        @{ cut = 0.25 }, @{ cut = 0.999 }
    ) {
        Set-HostileCase $hostile 'dump' @{ case = 'closeDelimited'; cut = $cut }

        $run = Save-HostileDump

        $run.Result | Should -BeNullOrEmpty
        $run.Errors | Should -HaveCount 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpIncomplete,*'
        $run.Errors[0].Exception.Message | Should -Match 'expected 3,145,851 bytes, received [\d,]+'
        $run.Errors[0].Exception.Message | Should -BeLike '*w3wp (4100) on hostile instance 1a2b3c*'
        $run.Files | Should -HaveCount 0
    }

    It 'saves a whole minidump that ends with the connection, with the server''s exact bytes' {
        Set-HostileCase $hostile 'dump' @{ case = 'closeDelimited'; cut = 1 }

        $run = Save-HostileDump

        $run.Errors | Should -HaveCount 0
        $run.Result.Length | Should -Be 3145851
        Get-Sha256 $run.Result.Path | Should -Be (Get-ExpectedSha256)
    }

    It 'refuses a <case> answer to a dump with <id>, and leaves nothing' -ForEach @(
        @{ case = 'redirect'; status = 302; id = 'KuduRedirected'; words = '*redirect to https://login.example.net/*not followed*' }
        @{ case = 'redirect'; status = 307; id = 'KuduRedirected'; words = '*answered 307*' }
        @{ case = 'html'; status = 200; id = 'KuduDumpNotADump'; words = '*HTML page*' }
        @{ case = 'empty'; status = 200; id = 'KuduDumpEmpty'; words = '*empty body*' }
        @{ case = 'notADump'; status = 200; id = 'KuduDumpNotADump'; words = '*not a minidump (MDMP)*7B 22 65 72*' }
    ) {
        Set-HostileCase $hostile 'dump' @{ case = $case; status = $status }

        $run = Save-HostileDump

        $run.Result | Should -BeNullOrEmpty
        $run.Errors | Should -HaveCount 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike "$id,*"
        $run.Errors[0].Exception.Message | Should -BeLike $words
        $run.Errors[0].TargetObject.Id | Should -Be 4100
        $run.Files | Should -HaveCount 0
    }

    It 'says a throttled dump was refused after one request, not "after several retries"' {
        Set-HostileCase $hostile 'dump' @{ case = 'status'; status = 429; body = 'slow down' }

        $run = Save-HostileDump

        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'KuduThrottled,*'
        $run.Errors[0].Exception.Message | Should -BeLike '*not retried after one request*'
        $run.Errors[0].Exception.Message | Should -Not -BeLike '*several*'
        (Get-HostileStats).dump | Should -Be 1
    }

    It 'gives three dumps of one process taken back to back three names' {
        $path = New-TestFolder
        $results = 1..3 | ForEach-Object { Get-KuduProcess -Id 4100 | Save-KuduProcessDump -Path $path }

        $results | Should -HaveCount 3
        @($results.Path | Sort-Object -Unique) | Should -HaveCount 3
        @(Get-DumpFiles $path) | Should -HaveCount 3
    }
}

Describe 'Linux cores from a hostile server' {
    BeforeAll {
        $target = Start-LinuxTarget -Widgets 7
        $corePath = Join-Path (New-TestFolder) 'real.core'
        Save-DotnetDump -ProcessId $target.pid -Type Mini -Path $corePath | Out-Null
        Stop-LinuxTarget $target
        Invoke-RestMethod "$($hostile.url)/_hostile/platform?value=linux" | Out-Null
        Invoke-RestMethod "$($hostile.url)/_hostile/dump?path=$([Uri]::EscapeDataString($corePath))" | Out-Null
        New-HostileSession | Out-Null
    }
    AfterAll {
        Invoke-RestMethod "$($hostile.url)/_hostile/platform?value=windows" | Out-Null
        Invoke-RestMethod "$($hostile.url)/_hostile/dump" | Out-Null
    }
    BeforeEach { Set-HostileCase $hostile -Reset }

    It 'refuses a real ELF core cut at <cut> of its length without Content-Length' -ForEach @(@{ cut = 0.25 }, @{ cut = 0.9 }) {
        Set-HostileCase $hostile 'dump' @{ case = 'closeDelimited'; cut = $cut }

        $run = Save-HostileDump

        $run.Errors | Should -HaveCount 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpIncomplete,*'
        $run.Errors[0].Exception.Message | Should -BeLike '*ELF program headers*'
        $run.Files | Should -HaveCount 0
    }

    It 'saves the whole real core that ends with the connection, byte for byte' {
        Set-HostileCase $hostile 'dump' @{ case = 'closeDelimited'; cut = 1 }

        $run = Save-HostileDump

        $run.Errors | Should -HaveCount 0
        $run.Result.Length | Should -Be (Get-Item $corePath).Length
        Get-Sha256 $run.Result.Path | Should -Be (Get-Sha256 $corePath)
    }
}

Describe 'Blob dumps from a hostile server' -Skip:(-not $haveAzurite) {
    BeforeAll {
        Invoke-RestMethod "$($hostile.url)/_hostile/platform?value=windows" | Out-Null
        Invoke-RestMethod "$($hostile.url)/_hostile/dump" | Out-Null
        New-HostileSession | Out-Null
        $azurite = [pscustomobject]@{ BlobEndpoint = $env:KUDU_TEST_AZURITE_BLOB; ConnectionString = $env:KUDU_TEST_AZURITE_CONNECTION }
        $container = 'hostile' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        New-TestContainer $azurite $container
    }
    BeforeEach { Set-HostileCase $hostile -Reset }

    It 'commits no blob of a dump that ends early, and the whole one byte for byte' {
        Set-HostileCase $hostile 'dump' @{ case = 'closeDelimited'; cut = 0.5 }
        Get-KuduProcess -Id 4100 | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduDumpIncomplete,*'
        @(Get-TestBlobList $azurite $container) | Should -HaveCount 0

        Set-HostileCase $hostile 'dump' @{ case = 'closeDelimited'; cut = 1 }
        $result = Get-KuduProcess -Id 4100 | Save-KuduProcessDump -ConnectionString $azurite.ConnectionString -Container $container
        (Get-TestBlob $azurite $container $result.BlobName (Join-Path (New-TestFolder) 'b')).Sha256 | Should -Be (Get-ExpectedSha256)
    }

    It 'has storage refuse data damaged on the way (every upload carries its MD5), and commits no blob, for a <size> dump' -ForEach @(
        @{ size = '3 MiB (one Put Blob)'; length = 3MB + 11 }, @{ size = '10 MiB (three blocks)'; length = 10MB + 11 }
    ) {
        Invoke-RestMethod "$($hostile.url)/_hostile/dump?length=$length" | Out-Null
        $damaged = 'damaged' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        New-TestContainer $azurite $damaged
        Invoke-RestMethod "$($hostile.url)/_hostile/storage?target=$([Uri]::EscapeDataString($azurite.BlobEndpoint))&corrupt=1" | Out-Null
        $throughDamage = $azurite.ConnectionString -replace 'BlobEndpoint=[^;]+', "BlobEndpoint=$($hostile.url)/devstoreaccount1"

        Get-KuduProcess -Id 4100 | Save-KuduProcessDump -ConnectionString $throughDamage -Container $damaged -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DumpWriteFailed,*'
        $err[0].Exception.Message | Should -BeLike '*400 Md5Mismatch*'
        @(Get-TestBlobList $azurite $damaged) | Should -HaveCount 0
        Invoke-RestMethod "$($hostile.url)/_hostile/dump" | Out-Null
    }

    It 'stores the same damage silently when a block has no checksum (what the MD5 guards against)' {
        $control = 'control' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        New-TestContainer $azurite $control
        Invoke-RestMethod "$($hostile.url)/_hostile/storage?target=$([Uri]::EscapeDataString($azurite.BlobEndpoint))&corrupt=1" | Out-Null
        $sas = New-TestAccountSas
        $sent = [byte[]]::new(64KB); [Random]::new(4).NextBytes($sent)
        $id = [Uri]::EscapeDataString([Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes('block-000001')))
        $headers = @{ 'x-ms-version' = '2019-12-12' }
        Invoke-WebRequest -Method Put -Uri "$($hostile.url)/devstoreaccount1/$control/b?comp=block&blockid=$id&$sas" -Headers $headers -Body $sent -ContentType 'application/octet-stream' | Out-Null
        $list = "<?xml version=""1.0"" encoding=""utf-8""?><BlockList><Latest>$([Uri]::UnescapeDataString($id))</Latest></BlockList>"
        Invoke-WebRequest -Method Put -Uri "$($azurite.BlobEndpoint)/$control/b?comp=blocklist&$sas" -Headers $headers -Body $list | Out-Null

        $stored = Get-TestBlob $azurite $control 'b' (Join-Path (New-TestFolder) 'b')

        $stored.Length | Should -Be $sent.Length
        $stored.Sha256 | Should -Not -Be ([Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($sent)).ToLowerInvariant())
    }
}

Describe 'Lists and sessions from a hostile server: bounded, strict, clean' {
    BeforeAll {
        Invoke-RestMethod "$($hostile.url)/_hostile/platform?value=windows" | Out-Null
    }
    BeforeEach { Set-HostileCase $hostile -Reset }

    It 'fails a Retry-After of 100000 s at once with KuduThrottled naming the wait' {
        $session = New-HostileSession
        Set-HostileCase $hostile 'list' @{ case = 'status'; status = 429; retryAfter = 100000 }
        $clock = [Diagnostics.Stopwatch]::StartNew()

        $verbose = Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue -Verbose 4>&1

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduThrottled,*'
        $err[0].Exception.Message | Should -BeLike '*asked to wait 27.8 hours (100,000 s)*not retried after one request*'
        (Get-HostileStats).list | Should -Be 1
        ($verbose | Out-String) | Should -BeLike '*asking to wait 100,000 s*not retried*'
    }

    It 'gives up on a <what> after -TimeoutSec, within a minute' -ForEach @(
        @{ what = 'list dripped a byte a second'; case = 'drip' }
        @{ what = 'head dripped a byte a second'; case = 'dripHeaders' }
    ) {
        $session = New-HostileSession -TimeoutSec 10
        $session.TimeoutSec | Should -Be 10
        Set-HostileCase $hostile 'list' @{ case = $case; dripMs = 1000 }
        $clock = [Diagnostics.Stopwatch]::StartNew()

        Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduUnreachable,*'
        $err[0].Exception.Message | Should -BeLike "hostile instance *: Kudu at $(([uri]$hostile.url).Authority) gave no complete answer within 10 s (the session's -TimeoutSec): the request was abandoned. The SCM site may be overloaded or a proxy may be holding the connection; try again, or raise -TimeoutSec where the session is made (New-KuduSession, or Invoke-FunctionAppDump without -Session)."
    }

    It 'refuses a list that says it is 2.2 GB at once, without retries' {
        $session = New-HostileSession
        Set-HostileCase $hostile 'list' @{ case = 'hugeLength'; length = 2306867200 }

        Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInvalidResponse,*'
        $err[0].Exception.Message | Should -BeLike '*too large (2,306,867,200 bytes, limit 67,108,864)*'
        (Get-HostileStats).list | Should -Be 1
    }

    It 'stops reading a 2.2 GB list without a length at the limit, and stays under 600 MB' {
        $script = @"
Import-Module '$ModuleManifest'
`$c = [pscredential]::new('$($hostile.userName)', (ConvertTo-SecureString '$($hostile.password)' -AsPlainText -Force))
`$s = New-KuduSession -ScmUri '$($hostile.url)' -Name hostile -Credential `$c
Invoke-RestMethod '$($hostile.url)/_hostile/set?route=list&case=hugeBody&length=2306867200' | Out-Null
Get-KuduProcess -Session `$s -ErrorVariable err -ErrorAction SilentlyContinue
'ID=' + `$err[0].FullyQualifiedErrorId
'PEAK=' + [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
"@
        $output = Invoke-Pwsh -NoProfile -NonInteractive -Command $script

        ($output | Where-Object { $_ -like 'ID=*' }) | Should -BeLike 'ID=KuduInvalidResponse,*'
        [long](($output | Where-Object { $_ -like 'PEAK=*' }) -replace 'PEAK=') | Should -BeLessThan 600MB
    }

    It 'does not stay on an ARRAffinity cookie that is no valid header value, and says so' {
        $session = New-HostileSession
        Set-HostileCase $hostile 'list' @{ case = 'cookie'; cookie = "caf$([char]0xE9)-$([char]0x4E2D)"; count = 1 }

        $verbose = Get-KuduProcess -Session $session -Verbose 4>&1
        $again = Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 0
        @($again) | Should -HaveCount 2
        ($verbose | Out-String) | Should -BeLike '*Ignored an ARRAffinity cookie that is not a valid cookie value*'
    }

    It 'shows control characters from the server escaped, never raw' {
        $session = New-HostileSession
        Set-HostileCase $hostile 'list' @{ case = 'status'; status = 400; contentType = 'application/json'; body = "{""Message"":""boom$([char]27)[2J$([char]7)$([char]0x9B)31m""}" }

        Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue
        $shown = $err[0] | Out-String

        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduBadRequest,*'
        $shown | Should -BeLike '*boom\x1B`[2J\x07\x9B31m*'
        $shown.IndexOfAny([char[]] @(27, 7, 0x9B)) | Should -Be -1
        $err[0].Exception.Message.IndexOfAny([char[]] @(27, 7, 0x9B)) | Should -Be -1
    }

    It 'refuses a list item <what> as an invalid answer' -ForEach @(
        @{ what = 'without an id'; body = '[{"name":"w3wp","user_name":"IIS APPPOOL\\hostile"}]'; words = "*has no 'id'*" }
        @{ what = 'with the id as a string'; body = '[{"id":"4100","name":"w3wp"}]'; words = "*'id' is not an integer*" }
    ) {
        $session = New-HostileSession
        Set-HostileCase $hostile 'list' @{ case = 'json'; body = $body }

        $processes = Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue

        $processes | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduInvalidResponse,*'
        $err[0].Exception.Message | Should -BeLike $words
    }

    It 'refuses a session whose SCM site answers <what>' -ForEach @(
        @{ what = 'with a sign-in page'; case = @{ case = 'html' }; id = 'KuduInvalidResponse' }
        @{ what = 'with a redirect'; case = @{ case = 'redirect'; status = 302 }; id = 'KuduRedirected' }
    ) {
        Set-HostileCase $hostile 'env' $case
        $before = @(Get-KuduSession).Count

        New-KuduSession -ScmUri $hostile.url -Name hostile -Credential $credential -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike "$id,*"
        @(Get-KuduSession).Count | Should -Be $before
    }

    It 'times a watch by its own clock when Kudu''s time_stamp does not advance, and fires' {
        $session = New-HostileSession
        Set-HostileCase $hostile 'stamp' @{ case = 'frozen' }

        $clock = [Diagnostics.Stopwatch]::StartNew()
        $fired = Watch-KuduProcess -Session $session -Name w3wp -WorkingSetAbove 100MB -For 00:00:02 -Interval 00:00:01 -Count 1 -Timeout 00:00:30 -Verbose 4>&1

        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.9 -Because '-For 2 s must hold for 2 s whatever clock times it'
        @($fired | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }) | Should -HaveCount 1
        (@($fired | Where-Object { $_ -is [Management.Automation.VerboseRecord] }) | Out-String) | Should -BeLike '*time_stamp does not advance*'
    }
}

Describe 'Non-interactive hosts' {
    It 'saves a dump under -Debug -Verbose -Confirm:$false in pwsh -NonInteractive without prompting' {
        Set-HostileCase $hostile -Reset
        Invoke-RestMethod "$($hostile.url)/_hostile/platform?value=windows" | Out-Null
        $path = New-TestFolder
        $script = @"
Import-Module '$ModuleManifest'
`$c = [pscredential]::new('$($hostile.userName)', (ConvertTo-SecureString '$($hostile.password)' -AsPlainText -Force))
New-KuduSession -ScmUri '$($hostile.url)' -Name hostile -Credential `$c -Debug | Out-Null
`$r = Get-KuduProcess -Id 4100 -Debug | Save-KuduProcessDump -Path '$path' -Confirm:`$false -Debug -Verbose
'SAVED=' + `$r.Path
'OK=' + `$?
"@
        $output = Invoke-Pwsh -NoProfile -NonInteractive -Command $script 2>&1

        ($output | Out-String) | Should -Not -BeLike '*NonInteractive mode*'
        $output | Should -Contain 'OK=True'
        @(Get-DumpFiles $path) | Should -HaveCount 1
    }
}
