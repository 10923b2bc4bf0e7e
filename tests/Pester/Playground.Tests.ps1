# Issue 23, point 1: build.ps1 -Task Playground. Its shell runs here with -Command instead of staying interactive:
# the same emulator, module import, session and help text a user gets, and the same clean-up after.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Tools/Playground.psm1') -Force
    $script:Scenario = Join-Path $RepoRoot 'tests/KuduEmulator/scenarios/demo.json'
    $script:EmulatorDll = Get-KuduEmulatorPath
}

Describe 'build.ps1 -Task Playground' {
    It 'opens a shell with the module and a session to contoso-func, in which the three lines it prints work' {
        $folder = New-TestFolder
        try {
            $command = 'Get-KuduProcess | Out-String -Width 80; ' +
                '"session: $($session.SiteName) $($session.AuthenticationType) $((Get-KuduSession).Count)"; ' +
                '"details: $(@(Get-KuduProcess -Name w3wp | Get-KuduProcessDetail).Count)"; ' +
                '"dumps: $(@(Get-KuduProcess -Name w3wp | Save-KuduProcessDump -Path $dumps -Confirm:$false -WarningAction SilentlyContinue).Count)"; ' +
                '"emulator: $(Get-KuduProcess -Name w3wp | Select-Object -First 1 -ExpandProperty Session | ForEach-Object ScmUri)"'
            $output = @(Start-KuduPlayground -ModuleManifest $ModuleManifest -EmulatorDll $EmulatorDll -Scenario $Scenario -DumpPath $folder -Command $command 2>&1)
            $text = $output -join "`n"

            $text | Should -Match 'KuduDiagnostics [\d.]+ is imported, with a session to contoso-func \(3 instances\) on the emulator\.'
            $text | Should -BeLike "*Try:`n  Get-KuduProcess`n  Get-KuduProcess -Name w3wp | Get-KuduProcessDetail`n  Get-KuduProcess -Name w3wp | Save-KuduProcessDump -Path `$dumps    # `$dumps is $folder*"
            $text | Should -Match '(?m)^Site: contoso-func   Instance: [0-9a-f]{6} \(\w+\)$' -Because 'the session lists the processes of its instance'
            $text | Should -Match '(?m)^\s+\d+ True\s+w3wp$'
            $text | Should -Match '(?m)^session: contoso-func Basic 1$' -Because 'the session is named contoso-func, not 127.0.0.1'
            $text | Should -Match '(?m)^details: 3$'
            $text | Should -Match '(?m)^dumps: 2$' -Because "the SCM site's worker is left out"
            $text | Should -Not -Match "`e\[" -Because 'a command run for a script prints no colour codes'

            # Two app workers' dumps, named after contoso-func, in the folder the shell called $dumps.
            $files = @(Get-DumpFiles $folder)
            $files | Should -HaveCount 2
            $files.Name | ForEach-Object { $_ | Should -BeLike 'contoso-func_*_w3wp_*_mini.dmp' }

            # The emulator is stopped when the shell exits: its SCM port refuses connections.
            $port = ([uri](($text -split "`n" | Where-Object { $_ -like 'emulator: *' }) -replace '^emulator: ', '')).Port
            $port | Should -BeGreaterThan 0
            $client = [System.Net.Sockets.TcpClient]::new()
            { $client.Connect('127.0.0.1', $port) } | Should -Throw
            $client.Dispose()
        }
        finally {
            Remove-Item -Recurse -Force $folder -ErrorAction Ignore
        }
    }

    It 'leaves no password in the shell''s environment, and removes its temp dumps folder' {
        $command = '"env: $(@(Get-ChildItem env: | Where-Object Name -like ''KUDU_PLAYGROUND_*'').Count)"; "dumps: $dumps"; New-Item -ItemType Directory $dumps | Out-Null; Test-Path $dumps'
        $text = @(Start-KuduPlayground -ModuleManifest $ModuleManifest -EmulatorDll $EmulatorDll -Scenario $Scenario -Command $command 2>&1) -join "`n"
        $text | Should -Match '(?m)^env: 0$'
        $text | Should -Match '(?m)^True$'
        $dumps = ($text -split "`n" | Where-Object { $_ -like 'dumps: *' }) -replace '^dumps: ', ''
        $dumps | Should -Not -BeNullOrEmpty
        $dumps | Should -Not -Exist
        @(Get-ChildItem env: | Where-Object Name -like 'KUDU_PLAYGROUND_*') | Should -BeNullOrEmpty
    }
}
