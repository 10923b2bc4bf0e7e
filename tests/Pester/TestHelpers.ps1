# Dot-sourced by every *.Tests.ps1 in BeforeAll: the real module from out/, the emulator helpers, and a few
# shorthands. build.ps1 -Task Test sets the KUDU_TEST_* variables; run alone, paths default to the repo's.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $RepoRoot 'tests/Tools/KuduTestTools.psm1') -Force -Verbose:$false
Import-Module (Join-Path $RepoRoot 'tests/Tools/LinuxTestTools.psm1') -Force -Verbose:$false
$script:ModuleManifest = if ($env:KUDU_TEST_MODULE) { $env:KUDU_TEST_MODULE } else { Join-Path $RepoRoot 'out/KuduDiagnostics/KuduDiagnostics.psd1' }
Import-Module $ModuleManifest -Force -Verbose:$false

function New-TestCredential {
    param([Parameter(Mandatory)] $Site, [string] $Password)
    $secret = if ($PSBoundParameters.ContainsKey('Password')) { $Password } else { $Site.password }
    [pscredential]::new($Site.userName, (ConvertTo-SecureString $secret -AsPlainText -Force))
}

function New-EmulatorSession {
    <# A Basic-auth session to one emulated site, the way a user with publishing credentials connects. #>
    param([Parameter(Mandatory)] $Emulator, [string] $Site)
    $s = if ($Site) { $Emulator.Sites | Where-Object key -eq $Site } else { $Emulator.Sites[0] }
    New-KuduSession -ScmUri $s.scmUrl -Name $s.name -Credential (New-TestCredential $s)
}

function Get-TestSite {
    param([Parameter(Mandatory)] $Emulator, [string] $Key)
    if ($Key) { $Emulator.Sites | Where-Object key -eq $Key } else { $Emulator.Sites[0] }
}

function New-TestFolder {
    $path = Join-Path ([IO.Path]::GetTempPath()) ('kudu-test-' + [guid]::NewGuid().ToString('n').Substring(0, 10))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}

function Get-DumpFiles {
    <# Every file under a folder, .partial ones included. #>
    param([Parameter(Mandatory)] [string] $Path)
    @(Get-ChildItem -LiteralPath $Path -Recurse -File -Force -ErrorAction Ignore)
}

function Get-Sha256 {
    param([Parameter(Mandatory)] [string] $Path)
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}
