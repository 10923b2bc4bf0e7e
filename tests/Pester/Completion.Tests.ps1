BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $emulator = Start-KuduEmulator -Scenario @{ sites = @(
            @{ name = 'contoso'; instanceCount = 1; appWorkers = 1; extraProcesses = @('dotnet', 'php-cgi') }
            @{ name = 'fabrikam'; instanceCount = 1; appWorkers = 1; extraProcesses = @('node') }) }
    Remove-KuduSession -All -Confirm:$false
    $fabrikam = New-EmulatorSession $emulator 'fabrikam'
    $contoso = New-EmulatorSession $emulator 'contoso'

    function Complete([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Tab completion' {
    It 'completes -Name with the process names of the default session' {
        (Complete 'Get-KuduProcess -Name ').CompletionText | Should -Be @('dotnet', 'php-cgi', 'w3wp')
        (Complete 'Get-KuduProcess -Name p').CompletionText | Should -Be @('php-cgi')
    }

    It 'completes -Name from the session given on the line' {
        (Complete 'Save-KuduProcessDump -Session $fabrikam -Name ').CompletionText | Should -Be @('node', 'w3wp')
        (Complete 'Invoke-FunctionAppDump -Session $fabrikam -ProcessName n').CompletionText | Should -Be @('node')
    }

    It 'completes -Session with an expression that gives the session' {
        $completions = Complete 'Get-KuduProcess -Session '
        $completions.CompletionText | Should -Be @("(Get-KuduSession -Id $($contoso.Id))", "(Get-KuduSession -Id $($fabrikam.Id))")
        $completions[0].ListItemText | Should -BeLike "$($contoso.Id): contoso*"
        (Complete 'Get-KuduProcessDetail -Session fab').CompletionText | Should -Be @("(Get-KuduSession -Id $($fabrikam.Id))")
        $sessionFromCompletion = Invoke-Expression (Complete 'Get-KuduProcess -Session fab')[0].CompletionText
        $sessionFromCompletion.Id | Should -Be $fabrikam.Id
    }

    It 'completes -Instance with the short ids of the default session (the machine name as tooltip), and the machine names' {
        $process = Get-KuduProcess | Select-Object -First 1
        $short = $process.Instance.Substring(0, 6)

        $completions = @(Complete 'Get-KuduProcess -Instance ')

        $completions.CompletionText | Should -Be @($short, $process.MachineName)
        $completions[0].ToolTip | Should -BeLike "$($process.MachineName)*"
        $completions[1].ToolTip | Should -BeLike "instance $short*"
        (Complete "Save-KuduProcessDump -Instance $($short.Substring(0, 2))").CompletionText | Should -Be @($short)
        (Complete "Save-KuduProcessDump -Instance $($process.MachineName.Substring(0, 4).ToLowerInvariant())").CompletionText | Should -Be @($process.MachineName)
        @(Complete 'Get-KuduProcessDetail -Instance zz') | Should -HaveCount 0
    }

    It 'completes -Instance from the session on the line' {
        $other = Get-KuduProcess -Session $fabrikam | Select-Object -First 1
        (Complete 'Invoke-FunctionAppDump -Session $fabrikam -Instance ').CompletionText | Should -Be @($other.Instance.Substring(0, 6), $other.MachineName)
    }

    It 'completes -Id with the pids, listed with the process names' {
        $processes = @(Get-KuduProcess | Sort-Object Id)
        $completions = @(Complete 'Get-KuduProcessDetail -Id ')

        $completions.CompletionText | Should -Be @($processes.Id | ForEach-Object { "$_" })
        $completions.ListItemText | Should -Be @($processes | ForEach-Object { "$($_.Id) $($_.Name)" })
        $others = @(Get-KuduProcess -Session $fabrikam | Sort-Object Id)
        (Complete 'Save-KuduProcessDump -Session $fabrikam -Id ').ListItemText | Should -Be @($others | ForEach-Object { "$($_.Id) $($_.Name)" })
        $first = "$($processes[0].Id)"
        (Complete "Get-KuduProcess -Id $($first.Substring(0, 2))").CompletionText | Should -Contain $first
    }

    It 'completes -DumpType with its values' {
        (Complete 'Save-KuduProcessDump -DumpType ').CompletionText | Sort-Object | Should -Be @('Full', 'Heap', 'Mini', 'Triage')
        (Complete 'Invoke-FunctionAppDump -DumpType H').CompletionText | Should -Be @('Heap')
    }
}
