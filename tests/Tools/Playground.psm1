# build.ps1 -Task Playground: the emulator with the demo scenario, and a pwsh with the module and a session in it.
Import-Module (Join-Path $PSScriptRoot 'KuduTestTools.psm1') -Verbose:$false

function Start-KuduPlayground {
    <#
    .SYNOPSIS
        Starts the Kudu emulator (demo scenario, free ports on 127.0.0.1), opens a pwsh with the module imported and
        a session to contoso-func made, and stops the emulator when that shell exits.
    .PARAMETER Command
        Runs this in the prepared shell and returns its output, instead of staying interactive (for tests and CI).
    #>
    param(
        [Parameter(Mandatory)] [string] $ModuleManifest,
        [Parameter(Mandatory)] [string] $EmulatorDll,
        [Parameter(Mandatory)] [string] $Scenario,
        [string] $DumpPath,
        [string] $Command
    )
    $dumps = if ($DumpPath) { $DumpPath } else { Join-Path ([IO.Path]::GetTempPath()) "kudu-playground-$PID" }
    $emulator = Start-KuduEmulator -EmulatorDll $EmulatorDll -Scenario $Scenario
    $site = $emulator.Sites[0]
    $variables = @{ MODULE = $ModuleManifest; SCM = $site.scmUrl; SITE = $site.name; USER = $site.userName; PASSWORD = $site.password
        INSTANCES = "$($site.instances.Count)"; DUMPS = $dumps; PLAIN = $(if ($Command) { '1' }) }
    try {
        foreach ($name in $variables.Keys) { Set-Item "Env:KUDU_PLAYGROUND_$name" $variables[$name] }
        $shell = Join-Path $PSScriptRoot 'PlaygroundShell.ps1'
        if ($Command) {
            Invoke-Pwsh -NoProfile -NonInteractive -Command ". '$shell'; $Command"
        }
        else {
            Write-Host "== Playground: the Kudu emulator at $($site.scmUrl) (site $($site.name)); a new pwsh follows"
            Invoke-Pwsh -NoProfile -NoExit -Command ". '$shell'"
        }
    }
    finally {
        Remove-Item Env:KUDU_PLAYGROUND_* -ErrorAction Ignore
        Stop-KuduEmulator $emulator
        if (-not $DumpPath -and (Test-Path $dumps)) { Remove-Item -Recurse -Force $dumps }
        if (-not $Command) { Write-Host "== Playground: the emulator is stopped$(if (-not $DumpPath) { ' and its dumps removed (keep them with -DumpPath <folder>)' })." }
    }
}

Export-ModuleMember -Function Start-KuduPlayground
