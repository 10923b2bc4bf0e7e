# -ThrottleLimit and -OverallThrottleLimit have one meaning on every command, told in one place: the conceptual
# topic about_KuduDiagnostics_Throttling, shipped with the built module. Its table must stay true to the commands.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Topic = (Get-Help about_KuduDiagnostics_Throttling | Out-String)
    # "    Get-KuduProcess            8                64"
    $script:Table = @{}
    foreach ($m in [regex]::Matches($Topic, '(?m)^\s+([A-Z][a-z]+-[A-Za-z]+)\s+(\d+)\s+(\d+)\s*$')) {
        $Table[$m.Groups[1].Value] = @{ ThrottleLimit = [int]$m.Groups[2].Value; OverallThrottleLimit = [int]$m.Groups[3].Value }
    }
    $script:Throttled = @(Get-Command -Module KuduDiagnostics -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('ThrottleLimit') -or $_.Parameters.ContainsKey('OverallThrottleLimit') })
}

Describe 'about_KuduDiagnostics_Throttling' {
    It 'is shown by Get-Help from the built module' {
        $Topic | Should -Match 'TOPIC\s+about_KuduDiagnostics_Throttling'
        $Topic | Should -Match 'Requests in flight on each instance'
    }

    It 'lists every command that has throttle parameters, and only those' {
        $Throttled.Count | Should -BeGreaterThan 5
        @($Table.Keys | Sort-Object) | Should -Be @($Throttled.Name | Sort-Object)
    }

    It 'gives both parameters to every command that has one, with one range' {
        foreach ($command in $Throttled) {
            foreach ($name in 'ThrottleLimit', 'OverallThrottleLimit') {
                $command.Parameters.ContainsKey($name) | Should -BeTrue -Because "$($command.Name) -$name"
                $range = $command.Parameters[$name].Attributes | Where-Object { $_ -is [ValidateRange] }
                $expected = if ($name -eq 'ThrottleLimit') { 64 } else { 1024 }
                "$($range.MinRange)..$($range.MaxRange)" | Should -Be "1..$expected" -Because "$($command.Name) -$name"
            }
        }
    }

    It 'states the defaults each command really has' {
        foreach ($command in $Throttled) {
            $fresh = $command.ImplementingType::new()
            $fresh.ThrottleLimit | Should -Be $Table[$command.Name].ThrottleLimit -Because "$($command.Name) -ThrottleLimit"
            $fresh.OverallThrottleLimit | Should -Be $Table[$command.Name].OverallThrottleLimit -Because "$($command.Name) -OverallThrottleLimit"
        }
    }

    It 'is what each throttle parameter''s help points to' {
        foreach ($command in $Throttled) {
            foreach ($name in 'ThrottleLimit', 'OverallThrottleLimit') {
                $page = Get-Content -Raw (Join-Path $RepoRoot "docs/$($command.Name).md")
                $section = [regex]::Match($page, "(?s)### -$name\n(.*?)``````yaml").Groups[1].Value
                $section | Should -Match 'about_KuduDiagnostics_Throttling' -Because "docs/$($command.Name).md -$name"
            }
        }
    }
}
