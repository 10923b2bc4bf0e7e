# The emulator's Linux face (KuduLite over dotnet-monitor) against real .NET processes, spoken to with plain
# HTTP: the module does not speak the Linux contract yet, so these tests pin the server side it will meet.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $targetA = Start-LinuxTarget -Exception
    $targetB = Start-LinuxTarget -Widgets 17
    $linux = @{ kind = 'app,linux'; sku = 'PremiumV3'; instances = @(@{ linuxTargets = @($targetA.pid) }) }
    $scenario = @{
        sites = @(
            @{ name = 'linux-func'; kind = 'functionapp,linux'; sku = 'ElasticPremium'; dotnetMonitor = 'enabled'
               instances = @(@{ linuxTargets = @($targetA.pid) }, @{ linuxTargets = @($targetB.pid) }) }
            $linux + @{ name = 'linux-off'; dotnetMonitor = 'disabled' }
            $linux + @{ name = 'linux-notrunning'; dotnetMonitor = 'notRunning' }
            $linux + @{ name = 'linux-unreachable'; dotnetMonitor = 'unreachable' }
            $linux + @{ name = 'linux-apikey'; dotnetMonitor = 'apiKey' }
            $linux + @{ name = 'linux-ga'; dotnetMonitor = 'enabled'; dotnetMonitorVersion = 'ga' }
            $linux + @{ name = 'linux-slow'; dotnetMonitor = 'enabled'; proxyTimeoutMs = 300; dump = @{ writeDelayMs = 5000 } }
            @{ name = 'linux-consumption'; kind = 'functionapp,linux'; sku = 'Dynamic'; hasScm = $true; dotnetMonitor = 'enabled' }
        )
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $site = Get-TestSite $emulator 'linux-func'
    $i0, $i1 = $site.instances
    $folder = New-TestFolder
    $handler = [System.Net.Http.SocketsHttpHandler]::new()
    $handler.UseCookies = $false # the ARRAffinity cookie is set by hand, per request
    $http = [System.Net.Http.HttpClient]::new($handler)

    function Send-Scm {
        <# One request to an SCM site, Basic auth unless -Bearer; returns the response task with -Async. #>
        param($Site, [string] $Path, [string] $Instance, [string] $OutFile, [string] $Method = 'GET', [string] $Bearer, [string] $BaseUrl, [switch] $Async)
        $base = if ($BaseUrl) { $BaseUrl } else { $Site.scmUrl }
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), "$base$Path")
        $request.Headers.Authorization = if ($Bearer) { [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $Bearer) }
        else { [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Basic', [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($Site.userName):$($Site.password)"))) }
        if ($Instance) { $request.Headers.Add('Cookie', "ARRAffinity=$Instance") }
        $task = $http.SendAsync($request, [System.Net.Http.HttpCompletionOption]::ResponseHeadersRead)
        if ($Async) { return $task }
        Read-ScmResponse $task.GetAwaiter().GetResult() -OutFile $OutFile
    }

    function Read-ScmResponse {
        param([Parameter(Mandatory)] $Response, [string] $OutFile)
        try {
            $body = $null
            if ($OutFile) {
                $file = [IO.File]::Create($OutFile)
                # $null =: pwsh sees Task<VoidTaskResult> at run time and would emit the VoidTaskResult
                try { $null = $Response.Content.CopyToAsync($file).GetAwaiter().GetResult() } finally { $file.Dispose() }
            }
            else { $body = $Response.Content.ReadAsStringAsync().GetAwaiter().GetResult() }
            [pscustomobject]@{
                Status        = [int] $Response.StatusCode
                ContentType   = "$($Response.Content.Headers.ContentType)"
                ContentLength = $Response.Content.Headers.ContentLength
                Chunked       = $Response.Headers.TransferEncodingChunked -eq $true
                Disposition   = "$($Response.Content.Headers.ContentDisposition)"
                Body          = $body
            }
        }
        finally { $Response.Dispose() }
    }

    function Get-FileHead([string] $Path) {
        $stream = [IO.File]::OpenRead($Path)
        try { $head = [byte[]]::new(4); $null = $stream.Read($head, 0, 4); ($head | ForEach-Object { $_.ToString('X2') }) -join ' ' }
        finally { $stream.Dispose() }
    }

    function Get-LastDumpRecord { @((Get-KuduEmulatorStats $emulator 'linux-func').dumps)[-1] }
}

AfterAll {
    if ($http) { $http.Dispose() }
    if ($emulator) { Stop-KuduEmulator $emulator }
    foreach ($t in @($targetA, $targetB)) { if ($t) { Stop-LinuxTarget $t } }
    if ($folder) { Remove-Item -Recurse -Force $folder -ErrorAction Ignore }
}

Describe 'The Linux face: KuduLite over dotnet-monitor, backed by real .NET processes' {
    It 'lists only the .NET processes given to each instance, in dotnet-monitor 5.0.0-preview.5''s shape' {
        $r = Send-Scm $site '/api/processes' $i0

        $r.Status | Should -Be 200
        $r.ContentType | Should -BeLike 'application/json*'
        $items = @($r.Body | ConvertFrom-Json)
        $items | Should -HaveCount 1 # not this pwsh nor the emulator, though both are .NET processes
        $items[0].psobject.Properties.Name | Should -Be @('pid', 'uid', 'name') -Because 'isDefault came with preview.6, with the query routes'
        $items[0].pid | Should -Be $targetA.pid
        $items[0].name | Should -Be 'dotnet'
        [guid] $items[0].uid | Should -Not -Be ([guid]::Empty)
        $other = @((Send-Scm $site '/api/diagnostics/processes' $i1).Body | ConvertFrom-Json)
        $other | Should -HaveCount 1
        $other[0].pid | Should -Be $targetB.pid
    }

    It 'reads a process''s detail, and only on the instance that runs it' {
        $r = Send-Scm $site "/api/processes/$($targetA.pid)" $i0
        $d = $r.Body | ConvertFrom-Json

        $d.psobject.Properties.Name | Should -Be @('pid', 'uid', 'name', 'commandLine', 'operatingSystem', 'processArchitecture')
        $d.pid | Should -Be $targetA.pid
        $d.commandLine | Should -BeLike '*LinuxTarget.dll*'
        $d.operatingSystem | Should -Be 'Linux'
        $d.processArchitecture | Should -BeIn @('x64', 'arm64')
        $elsewhere = Send-Scm $site "/api/processes/$($targetA.pid)" $i1
        $elsewhere.Status | Should -Be 400
        ($elsewhere.Body | ConvertFrom-Json).detail | Should -Be 'Unable to discover a target process.'
    }

    It 'streams a real WithHeap core dump, chunked with no Content-Length, where dotnet-dump finds the marker' {
        $file = Join-Path $folder 'heap.core'
        $r = Send-Scm $site "/api/processes/$($targetA.pid)/dump?type=WithHeap" $i0 -OutFile $file

        $r.Status | Should -Be 200
        $r.ContentType | Should -Be 'application/octet-stream'
        $r.ContentLength | Should -BeNullOrEmpty
        $r.Chunked | Should -BeTrue
        $r.Disposition | Should -Match '^attachment; filename=core_\d{8}_\d{6}$'
        Get-FileHead $file | Should -Be '7F 45 4C 46'
        $out = Invoke-DotnetDumpAnalyze $file 'dumpheap -stat -type KuduMarker.', 'clrthreads'
        $widgets = @($out | Where-Object { $_ -match '\sKuduMarker\.LeakedWidget$' })
        $widgets | Should -HaveCount 1
        $widgets[0] | Should -Match "^\s*[0-9a-f]+\s+$($targetA.widgets)\s" # MT, count, total size, type
        ($out -join "`n") | Should -Match 'KuduMarker\.MarkerException' # the exception in flight on its thread
        $record = Get-LastDumpRecord
        $record.query | Should -Be '?type=WithHeap'
        $record.type | Should -Be 'WithHeap'
        $record.outcome | Should -Be 'completed'
        $record.bytesSent | Should -Be (Get-Item $file).Length
        Remove-Item $file
    }

    It 'ignores a Windows-style dumpType and writes the default, WithHeap' {
        $file = Join-Path $folder 'dumptype.core'
        $r = Send-Scm $site "/api/processes/$($targetA.pid)/dump?dumpType=2" $i0 -OutFile $file

        $r.Status | Should -Be 200
        $record = Get-LastDumpRecord
        $record.query | Should -Be '?dumpType=2'
        $record.type | Should -Be 'WithHeap'
        (Get-Item $file).Length | Should -BeGreaterThan 20MB # a heap, not a mini dump
        Remove-Item $file
    }

    It 'writes a Mini dump that has no managed heap to walk' {
        $file = Join-Path $folder 'mini.core'
        $r = Send-Scm $site "/api/processes/$($targetB.pid)/dump?type=Mini" $i1 -OutFile $file

        $r.Status | Should -Be 200
        Get-FileHead $file | Should -Be '7F 45 4C 46'
        (Invoke-DotnetDumpAnalyze $file 'dumpheap -stat') -join "`n" | Should -Not -Match 'LeakedWidget'
        (Get-LastDumpRecord).type | Should -Be 'Mini'
        Remove-Item $file
    }

    It 'allows one dump at a time per instance: a second one there gets 429, another instance is free' {
        Set-KuduEmulatorSetting $emulator 'linux-func' @{ dump = @{ writeDelayMs = 1500 } }
        try {
            $first = Send-Scm $site "/api/processes/$($targetA.pid)/dump?type=Mini" $i0 -Async
            Start-Sleep -Milliseconds 400
            $busy = Send-Scm $site "/api/processes/$($targetA.pid)/dump?type=Mini" $i0
            $other = Send-Scm $site "/api/processes/$($targetB.pid)/dump?type=Mini" $i1 -OutFile (Join-Path $folder 'b.core')
            $done = Read-ScmResponse $first.GetAwaiter().GetResult() -OutFile (Join-Path $folder 'a.core')
            $stats = Get-KuduEmulatorStats $emulator 'linux-func'
        }
        finally { Reset-KuduEmulator $emulator }

        $busy.Status | Should -Be 429
        $busy.ContentType | Should -BeNullOrEmpty -Because 'preview.5 sets the status and writes nothing'
        $busy.Body | Should -BeNullOrEmpty
        $done.Status | Should -Be 200
        $other.Status | Should -Be 200
        $stats.maxConcurrentDumpsByInstance.$i0 | Should -Be 2
        $stats.maxConcurrentDumpsByInstance.$i1 | Should -Be 1
        Remove-Item (Join-Path $folder '*.core')
    }

    It 'answers <Case> with KuduLite''s raw text on list, detail and dump' -ForEach @(
        @{ Case = 'dotnet-monitor not enabled'; Site = 'linux-off'; Status = 400; Text = 'Not supported on Linux' }
        @{ Case = 'dotnet-monitor not running'; Site = 'linux-notrunning'; Status = 404; Text = 'The dotnet-monitor tool is not configured to run' }
        @{ Case = 'dotnet-monitor unreachable'; Site = 'linux-unreachable'; Status = 502; Text = "Request could not be proxied.`n`nConnection refused`n`n   at *" }
    ) {
        $s = Get-TestSite $emulator $Site
        foreach ($path in '/api/processes', "/api/processes/$($targetA.pid)", "/api/diagnostics/processes/$($targetA.pid)/dump?type=WithHeap") {
            $r = Send-Scm $s $path

            $r.Status | Should -Be $Status -Because $path
            $r.ContentType | Should -BeNullOrEmpty -Because $path
            $r.Body | Should -BeLike $Text -Because $path
        }
    }

    It 'speaks a GA dotnet-monitor behind KuduLite: the list (with isDefault) works, path detail and dump are 404 with no body' {
        $s = Get-TestSite $emulator 'linux-ga'
        $list = Send-Scm $s '/api/processes'
        $detail = Send-Scm $s "/api/processes/$($targetA.pid)"
        $dump = Send-Scm $s "/api/processes/$($targetA.pid)/dump?type=Mini"

        $list.Status | Should -Be 200
        $items = @($list.Body | ConvertFrom-Json)
        $items[0].psobject.Properties.Name | Should -Be @('pid', 'uid', 'name', 'isDefault')
        $items[0].pid | Should -Be $targetA.pid
        foreach ($r in $detail, $dump) {
            $r.Status | Should -Be 404
            $r.ContentType | Should -BeNullOrEmpty
            $r.Body | Should -BeNullOrEmpty
        }
        @((Get-KuduEmulatorStats $emulator 'linux-ga').dumps)[-1].outcome | Should -Be 'routeNotServed'
    }

    It 'answers a dump that outlasts KuduLite''s proxy timeout with the proxy''s 502 "canceled"' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $r = Send-Scm (Get-TestSite $emulator 'linux-slow') "/api/processes/$($targetA.pid)/dump?type=Mini"

        $r.Status | Should -Be 502
        $r.ContentType | Should -BeNullOrEmpty
        $r.Body | Should -BeLike "Request could not be proxied.`n`nThe operation was canceled.`n`n   at System.Net.Http.HttpClient.*"
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 4 -Because 'the proxy gives up at proxyTimeoutMs, before the dump is written'
        @((Get-KuduEmulatorStats $emulator 'linux-slow').dumps)[-1].outcome | Should -Be 'proxyTimeout'
    }

    It 'passes on dotnet-monitor''s own 401 (empty) when it requires an API key' {
        $s = Get-TestSite $emulator 'linux-apikey'
        foreach ($path in '/api/processes', "/api/processes/$($targetA.pid)", "/api/processes/$($targetA.pid)/dump?type=Mini") {
            $r = Send-Scm $s $path

            $r.Status | Should -Be 401 -Because $path
            $r.Body | Should -BeNullOrEmpty -Because $path
        }
    }

    It 'answers threads, modules and kill with a JSON string, as KuduLite does whatever the setting' {
        foreach ($call in @(@('GET', "/api/processes/$($targetA.pid)/threads"), @('GET', "/api/processes/$($targetA.pid)/modules"), @('DELETE', "/api/processes/$($targetA.pid)"))) {
            $r = Send-Scm $site $call[1] $i0 -Method $call[0]

            $r.Status | Should -Be 400
            $r.ContentType | Should -BeLike 'application/json*'
            $r.Body | Should -Be '"Not supported on Linux"'
        }
    }

    It 'has no process API on Linux Consumption even with an SCM host: 404, empty body' {
        $r = Send-Scm (Get-TestSite $emulator 'linux-consumption') '/api/processes'

        $r.Status | Should -Be 404
        $r.Body | Should -BeNullOrEmpty
    }

    It 'reaches a Linux function app through Resource Manager with a managed identity, instance by instance' {
        function Get-Token([string] $Resource) {
            (Invoke-RestMethod -Uri "$($emulator.identityEndpoint)?api-version=2019-08-01&resource=$Resource" -Headers @{ 'X-IDENTITY-HEADER' = $emulator.identityHeader }).access_token
        }
        $arm = @{ Authorization = "Bearer $(Get-Token 'https://management.azure.com')" }
        $resource = Invoke-RestMethod -Uri "$($emulator.armUrl)$($site.resourceId)?api-version=2024-11-01" -Headers $arm
        $instances = (Invoke-RestMethod -Uri "$($emulator.armUrl)$($site.resourceId)/instances?api-version=2024-11-01" -Headers $arm).value.name
        $scmHost = ($resource.properties.hostNameSslStates | Where-Object hostType -eq 'Repository').name
        $token = Get-Token 'https://appservice.azure.com'

        $resource.kind | Should -Be 'functionapp,linux'
        $resource.properties.reserved | Should -BeTrue
        $instances | Should -Be $site.instances
        $pids = foreach ($i in $instances) { @((Send-Scm $site '/api/processes' $i -Bearer $token -BaseUrl "http://$scmHost").Body | ConvertFrom-Json).pid }
        $pids | Should -HaveCount 2
        $pids | Should -Be @($targetA.pid, $targetB.pid)
    }

    It 'leaves no dump file behind' {
        @(Get-ChildItem (Join-Path $emulator.WorkFolder 'dumps') -Force -ErrorAction Ignore) | Should -BeNullOrEmpty
        @(Get-ChildItem $folder -Force) | Should -BeNullOrEmpty
    }
}
