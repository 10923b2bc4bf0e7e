# Helpers shared by build.ps1 (Build, Demo, Bench) and the Pester tests: module layout, the Kudu emulator,
# Azurite, and reading test results. Test infrastructure only; not shipped in the module.

Set-StrictMode -Version 3.0

function Build-ModuleLayout {
    <#
    .SYNOPSIS
        Lays out the module folder: manifest, format file, the cmdlet and public-type assemblies at the root, and
        the core with every dependency in dependencies/ (loaded in isolation, see DependencyIsolation.cs).
    #>
    param(
        [Parameter(Mandatory)] [string] $SourceRoot,
        [Parameter(Mandatory)] [string] $Configuration,
        [Parameter(Mandatory)] [string] $ManifestPath,
        [Parameter(Mandatory)] [string] $Destination
    )
    $cmdletBin = Join-Path $SourceRoot "KuduDiagnostics/bin/$Configuration/netstandard2.0"
    $coreBin = Join-Path $SourceRoot "KuduDiagnostics.Core/bin/$Configuration/netstandard2.0"
    $dependencies = Join-Path $Destination 'dependencies'
    Remove-Item -Recurse -Force $Destination -ErrorAction Ignore
    New-Item -ItemType Directory -Force -Path $dependencies | Out-Null
    Copy-Item $ManifestPath, (Join-Path $cmdletBin 'KuduDiagnostics.format.ps1xml') -Destination $Destination
    foreach ($name in 'KuduDiagnostics', 'KuduDiagnostics.Model') {
        Copy-Item (Join-Path $cmdletBin "$name.dll"), (Join-Path $cmdletBin "$name.pdb") -Destination $Destination
    }
    Get-ChildItem $coreBin -Filter *.dll | Where-Object Name -ne 'KuduDiagnostics.Model.dll' | Copy-Item -Destination $dependencies
    Copy-Item (Join-Path $coreBin 'KuduDiagnostics.Core.pdb') -Destination $dependencies
}

function Read-TrxCounts {
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Test-Path $Path)) {
        return [pscustomobject]@{ Total = 0; Passed = 0; Failed = 1 }
    }
    [xml] $trx = Get-Content -Raw $Path
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Total  = [int] $counters.total
        Passed = [int] $counters.passed
        Failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    }
}

function Get-KuduEmulatorPath {
    if ($env:KUDU_TEST_EMULATOR) { return $env:KUDU_TEST_EMULATOR }
    return (Join-Path $PSScriptRoot '../KuduEmulator/bin/Release/net10.0/KuduEmulator.dll')
}

function New-TestWorkFolder {
    param([Parameter(Mandatory)] [string] $Prefix)
    $work = Join-Path ([IO.Path]::GetTempPath()) ($Prefix + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    $work
}

function Start-ReadyProcess {
    <#
    .SYNOPSIS
        Starts a test process (the emulator, a Linux target) that writes <WorkFolder>/ready.json when it is ready;
        returns that JSON plus Process and WorkFolder. On failure the work folder is removed and the reason thrown.
    #>
    param(
        [Parameter(Mandatory)] [string] $What,
        [Parameter(Mandatory)] [string] $FilePath,
        [Parameter(Mandatory)] [string[]] $Arguments,
        [Parameter(Mandatory)] [string] $WorkFolder,
        [int] $TimeoutSeconds = 60
    )
    $process = Start-Process -FilePath $FilePath -ArgumentList $Arguments -PassThru `
        -RedirectStandardOutput (Join-Path $WorkFolder 'stdout.txt') -RedirectStandardError (Join-Path $WorkFolder 'stderr.txt')
    $readyFile = Join-Path $WorkFolder 'ready.json'
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path $readyFile)) {
        $failure = if ($process.HasExited) {
            "$What exited with code $($process.ExitCode): $(Get-Content -Raw (Join-Path $WorkFolder 'stderr.txt') -ErrorAction Ignore)"
        }
        elseif ([DateTime]::UtcNow -gt $deadline) {
            $process.Kill()
            "$What did not become ready within $TimeoutSeconds s."
        }
        if ($failure) {
            Remove-Item -Recurse -Force $WorkFolder -ErrorAction Ignore
            throw $failure
        }
        Start-Sleep -Milliseconds 50
    }
    $ready = Get-Content -Raw $readyFile | ConvertFrom-Json
    $ready | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $ready | Add-Member -NotePropertyName WorkFolder -NotePropertyValue $WorkFolder
    return $ready
}

function Stop-ReadyProcess {
    <# Stops what Start-ReadyProcess started and removes its work folder. #>
    param([Parameter(Mandatory, ValueFromPipeline)] $Started)
    process {
        if (-not $Started.Process.HasExited) {
            $Started.Process.Kill()
            $Started.Process.WaitForExit(10000) | Out-Null
        }
        Remove-Item -Recurse -Force $Started.WorkFolder -ErrorAction Ignore
    }
}

function Start-KuduEmulator {
    <#
    .SYNOPSIS
        Starts the Kudu emulator on 127.0.0.1 (random ports) and returns what its ready file says, plus the process.
    .PARAMETER Scenario
        A scenario file path, or a hashtable/object that is written to a temp scenario file as JSON.
    #>
    param(
        [string] $EmulatorDll = (Get-KuduEmulatorPath),
        [object] $Scenario,
        [int] $TimeoutSeconds = 60
    )
    if (-not (Test-Path $EmulatorDll)) { throw "The Kudu emulator is not built: $EmulatorDll" }
    $work = New-TestWorkFolder 'kudu-emulator-'
    # Linux dumps are written under the work folder, so Stop-KuduEmulator removes whatever a kill left.
    $arguments = @($EmulatorDll, '--ready-file', (Join-Path $work 'ready.json'), '--parent-pid', $PID, '--dump-temp', (Join-Path $work 'dumps'))
    if ($Scenario -is [string]) {
        $arguments += @('--scenario', $Scenario)
    }
    elseif ($null -ne $Scenario) {
        $scenarioFile = Join-Path $work 'scenario.json'
        $Scenario | ConvertTo-Json -Depth 20 | Set-Content -Path $scenarioFile -Encoding utf8
        $arguments += @('--scenario', $scenarioFile)
    }

    $ready = Start-ReadyProcess -What 'The Kudu emulator' -FilePath 'dotnet' -Arguments $arguments -WorkFolder $work -TimeoutSeconds $TimeoutSeconds
    $ready | Add-Member -NotePropertyName Sites -NotePropertyValue @($ready.sites) -Force
    return $ready
}

function Start-HostileKudu {
    <#
    .SYNOPSIS
        Starts the hostile Kudu (KuduEmulator --hostile: raw sockets, one site, one instance) on 127.0.0.1.
    #>
    param([string] $EmulatorDll = (Get-KuduEmulatorPath))
    $work = New-TestWorkFolder 'kudu-hostile-'
    $arguments = @($EmulatorDll, '--hostile', '--ready-file', (Join-Path $work 'ready.json'), '--parent-pid', $PID)
    Start-ReadyProcess -What 'The hostile Kudu' -FilePath 'dotnet' -Arguments $arguments -WorkFolder $work
}

function Set-HostileCase {
    <# Sets how the hostile Kudu answers a route (env, list, detail, dump, any); -Reset first clears every case. #>
    param([Parameter(Mandatory)] $Hostile, [string] $Route = 'any', [hashtable] $Case = @{}, [switch] $Reset)
    if ($Reset) { Invoke-RestMethod "$($Hostile.url)/_hostile/reset" | Out-Null }
    if ($Case.Count -gt 0) {
        $query = (@("route=$Route") + @($Case.GetEnumerator() | ForEach-Object { '{0}={1}' -f $_.Key, [Uri]::EscapeDataString("$($_.Value)") })) -join '&'
        Invoke-RestMethod "$($Hostile.url)/_hostile/set?$query" | Out-Null
    }
}

function Stop-KuduEmulator {
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process { Stop-ReadyProcess $Emulator }
}

function Get-KuduEmulatorStats {
    param([Parameter(Mandatory)] $Emulator, [string] $Site)
    $stats = Invoke-RestMethod -Uri "$($Emulator.url)/_emulator/stats"
    if ($Site) { return $stats.sites.$Site }
    return $stats
}

function Reset-KuduEmulator {
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Method Post -Uri "$($Emulator.url)/_emulator/reset" | Out-Null
}

function Set-KuduEmulatorFault {
    <# Replaces a site's fault rules (an empty list clears them). #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Site, [object[]] $Fault = @())
    $body = ConvertTo-Json -InputObject @($Fault) -Depth 10
    Invoke-RestMethod -Method Put -Uri "$($Emulator.url)/_emulator/sites/$Site/faults" -Body $body -ContentType 'application/json' | Out-Null
}

function Set-KuduEmulatorSetting {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Site, [Parameter(Mandatory)] [hashtable] $Setting)
    $body = ConvertTo-Json -InputObject $Setting -Depth 10
    Invoke-RestMethod -Method Put -Uri "$($Emulator.url)/_emulator/sites/$Site/settings" -Body $body -ContentType 'application/json' | Out-Null
}

function Get-KuduEmulatorExpectedDump {
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Site, [Parameter(Mandatory)] [string] $Instance, [Parameter(Mandatory)] [int] $ProcessId, [Parameter(Mandatory)] [int] $DumpType)
    Invoke-RestMethod -Uri "$($Emulator.url)/_emulator/sites/$Site/expected-dump?instance=$Instance&pid=$ProcessId&dumpType=$DumpType"
}

function Invoke-Pwsh {
    <#
    .SYNOPSIS
        Runs a fresh pwsh like the current one. Under the dotnet tool the process is dotnet itself, so the
        child is started as "dotnet <PSHOME>/pwsh.dll".
    #>
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    if ($PSVersionTable.PSEdition -eq 'Desktop') {
        # Windows PowerShell 5.1 (.NET Framework has no Environment.ProcessPath).
        & (Join-Path $PSHOME 'powershell.exe') @Arguments
        return
    }
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*' -and (Test-Path $dll)) {
        & ([Environment]::ProcessPath) $dll @Arguments
    }
    else {
        & ([Environment]::ProcessPath) @Arguments
    }
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-TestAzurite {
    <# Installs Azurite (pinned in tests/azurite) and starts its blob service on 127.0.0.1; $null when absent. #>
    param([Parameter(Mandatory)] [string] $Root)
    $folder = Join-Path $Root 'tests/azurite'
    if (-not (Test-Path (Join-Path $folder 'package.json'))) { return $null }
    # npm's shim is a .cmd on Windows.
    $bin = Join-Path $folder $(if ([IO.Path]::DirectorySeparatorChar -eq '\') { 'node_modules/.bin/azurite-blob.cmd' } else { 'node_modules/.bin/azurite-blob' })
    if (-not (Test-Path $bin)) {
        Write-Host '== Installing Azurite from npm (tests/azurite)'
        Push-Location $folder
        try {
            npm ci --no-audit --no-fund --loglevel=error | Out-Host
            if ($LASTEXITCODE -ne 0) { throw "npm ci failed with exit code $LASTEXITCODE" }
        }
        finally { Pop-Location }
    }
    $port = Get-FreeTcpPort
    $data = Join-Path ([IO.Path]::GetTempPath()) ("azurite-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory -Path $data | Out-Null
    $arguments = @('--blobHost', '127.0.0.1', '--blobPort', $port, '--location', $data, '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent')
    $process = Start-Process -FilePath $bin -ArgumentList $arguments -PassThru `
        -RedirectStandardOutput (Join-Path $data 'stdout.txt') -RedirectStandardError (Join-Path $data 'stderr.txt')
    $endpoint = "http://127.0.0.1:$port/devstoreaccount1"
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        try {
            $client = [System.Net.Sockets.TcpClient]::new()
            $client.Connect('127.0.0.1', $port)
            $client.Dispose()
            break
        }
        catch {
            if ($process.HasExited) { throw "Azurite exited: $(Get-Content -Raw (Join-Path $data 'stderr.txt') -ErrorAction Ignore)" }
            if ([DateTime]::UtcNow -gt $deadline) { $process.Kill(); throw 'Azurite did not start within 60 s.' }
            Start-Sleep -Milliseconds 200
        }
    }
    Write-Host "   Azurite blob service at $endpoint (pid $($process.Id))"
    [pscustomobject]@{
        Process          = $process
        DataFolder       = $data
        Port             = $port
        BlobEndpoint     = $endpoint
        ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=$endpoint;"
    }
}

function Stop-TestAzurite {
    param([Parameter(Mandatory)] $Azurite)
    if (-not $Azurite.Process.HasExited) {
        # The whole tree (npm's shim starts node); .NET Framework's Process has no Kill(bool).
        if ($PSVersionTable.PSEdition -eq 'Core') { $Azurite.Process.Kill($true) } else { taskkill.exe /PID $Azurite.Process.Id /T /F | Out-Null }
        $Azurite.Process.WaitForExit(10000) | Out-Null
    }
    Remove-Item -Recurse -Force $Azurite.DataFolder -ErrorAction Ignore
}

# Blob storage from the tests' side, by plain REST and SAS tokens signed here (the way any tool would check a
# container), so the tests do not lean on the same Azure SDK the module uses.

$script:AzuriteAccount = 'devstoreaccount1'
$script:AzuriteKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

function Get-SasSignature([string] $StringToSign) {
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([Convert]::FromBase64String($script:AzuriteKey))
    try { [Uri]::EscapeDataString([Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($StringToSign)))) }
    finally { $hmac.Dispose() }
}

function New-TestAccountSas {
    <# An account SAS for the blob service of the Azurite account (all permissions by default). #>
    param([string] $Permissions = 'rwdlac', [datetime] $Expiry = [datetime]::UtcNow.AddHours(2))
    $version = '2019-12-12'
    $se = $Expiry.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
    $toSign = "$script:AzuriteAccount`n$Permissions`nb`nsco`n`n$se`n`nhttp,https`n$version`n"
    "sv=$version&ss=b&srt=sco&sp=$Permissions&se=$se&spr=http,https&sig=$(Get-SasSignature $toSign)"
}

function New-TestContainerSas {
    <# A service SAS for one container, e.g. -Permissions cw (create and write) or r (read only). #>
    param([Parameter(Mandatory)] [string] $Container, [string] $Permissions = 'racwdl', [datetime] $Expiry = [datetime]::UtcNow.AddHours(2))
    $version = '2019-12-12'
    $se = $Expiry.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
    $resource = "/blob/$script:AzuriteAccount/$Container"
    $toSign = "$Permissions`n`n$se`n$resource`n`n`nhttp,https`n$version`nc`n`n`n`n`n`n"
    "sv=$version&sr=c&sp=$Permissions&se=$se&spr=http,https&sig=$(Get-SasSignature $toSign)"
}

function New-TestContainer {
    param([Parameter(Mandatory)] $Azurite, [Parameter(Mandatory)] [string] $Name)
    Invoke-WebRequest -Method Put -Uri "$($Azurite.BlobEndpoint)/$($Name)?restype=container&$(New-TestAccountSas)" -Headers @{ 'x-ms-version' = '2019-12-12' } | Out-Null
}

function Get-TestBlobList {
    <# The names of the committed blobs of a container. #>
    param([Parameter(Mandatory)] $Azurite, [Parameter(Mandatory)] [string] $Container)
    $response = Invoke-WebRequest -Uri "$($Azurite.BlobEndpoint)/$($Container)?restype=container&comp=list&$(New-TestAccountSas)" -Headers @{ 'x-ms-version' = '2019-12-12' }
    $text = $response.Content
    if ($text -is [byte[]]) { $text = [Text.Encoding]::UTF8.GetString($text) }
    [xml] $xml = $text.TrimStart([char]0xFEFF)
    @($xml.SelectNodes('/EnumerationResults/Blobs/Blob/Name') | ForEach-Object InnerText)
}

function Get-TestBlob {
    <# Downloads a blob to a file and returns its properties: Length, Sha256, ContentType, Metadata. #>
    param([Parameter(Mandatory)] $Azurite, [Parameter(Mandatory)] [string] $Container, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $OutFile)
    $uri = "$($Azurite.BlobEndpoint)/$Container/$(($Name -split '/' | ForEach-Object { [Uri]::EscapeDataString($_) }) -join '/')?$(New-TestAccountSas)"
    $response = Invoke-WebRequest -Uri $uri -Headers @{ 'x-ms-version' = '2019-12-12' } -OutFile $OutFile -PassThru
    $metadata = @{}
    foreach ($key in $response.Headers.Keys) {
        if ($key -like 'x-ms-meta-*') { $metadata[$key.Substring(10)] = "$($response.Headers[$key])" }
    }
    [pscustomobject]@{
        Length      = (Get-Item $OutFile).Length
        Sha256      = (Get-FileHash -Algorithm SHA256 $OutFile).Hash.ToLowerInvariant()
        ContentType = "$($response.Headers['Content-Type'])"
        Metadata    = $metadata
    }
}

Export-ModuleMember -Function *
