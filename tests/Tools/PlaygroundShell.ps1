# Dot-sourced by the Playground's pwsh (tests/Tools/Playground.psm1): imports the built module, opens the session
# to the emulator and says what to try. Everything comes in KUDU_PLAYGROUND_* variables, which are removed at once
# so the password shows in no later command or listing.
$ErrorActionPreference = 'Stop'
$playground = @{}
foreach ($name in 'MODULE', 'SCM', 'SITE', 'USER', 'PASSWORD', 'INSTANCES', 'DUMPS', 'PLAIN') {
    $playground[$name] = [Environment]::GetEnvironmentVariable("KUDU_PLAYGROUND_$name")
}
Remove-Item Env:KUDU_PLAYGROUND_* -ErrorAction Ignore
Import-Module $playground.MODULE
$session = New-KuduSession -ScmUri $playground.SCM -Name $playground.SITE `
    -Credential ([pscredential]::new($playground.USER, (ConvertTo-SecureString $playground.PASSWORD -AsPlainText -Force)))
$dumps = $playground.DUMPS
$instances = $playground.INSTANCES
# A command run for a script or test prints no colour codes.
if ($playground.PLAIN -and $PSVersionTable.PSVersion.Major -ge 7) { $PSStyle.OutputRendering = 'PlainText' }
Remove-Variable playground
$ErrorActionPreference = 'Continue'

function prompt { "PS kudu-playground $($executionContext.SessionState.Path.CurrentLocation)> " }

Write-Host "KuduDiagnostics $((Get-Module KuduDiagnostics).Version) is imported, with a session to $($session.SiteName) ($instances instances) on the emulator."
Write-Host 'Try:'
Write-Host '  Get-KuduProcess'
Write-Host '  Get-KuduProcess -Name w3wp | Get-KuduProcessDetail'
Write-Host '  Get-KuduProcess -Name w3wp | Save-KuduProcessDump -Path $dumps    # $dumps is ' -NoNewline
Write-Host $dumps
Write-Host "Get-Help <cmdlet> -Examples for more; 'exit' stops the emulator."
