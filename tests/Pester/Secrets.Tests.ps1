BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $password = 'Zq9-Secret-Pa55word-4d1f7b'
    $token = 'static-bearer-token-9c4e2a7f1d'
    $scenario = @{
        sites = @(@{
            name = 'contoso'; instanceCount = 2
            basicAuth = @{ userName = '$contoso'; password = $password }
            bearerTokens = @(@{ token = $token; audience = 'https://appservice.azure.com' })
            dump = @{ sizes = @{ default = 65536 } }
        })
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $site = Get-TestSite $emulator 'contoso'
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'Secrets never appear' {
    It 'keeps the password and token out of all six streams, errors and formatting, even with -Verbose -Debug' {
        $folder = New-TestFolder
        $DebugPreference = 'Continue'
        $captured = & {
            $basic = New-KuduSession -ScmUri $site.scmUrl -Name contoso -Credential (New-TestCredential $site) -Verbose -Debug
            $basic
            $basic | Format-List * | Out-String
            $basic.ToString()
            Get-KuduProcess -Verbose -Debug | Where-Object Name -eq w3wp | Get-KuduProcessDetail -Verbose -Debug
            Get-KuduProcess -Verbose -Debug | Where-Object { $_.Name -eq 'w3wp' -and -not $_.IsScmSite } | Select-Object -First 1 |
                Save-KuduProcessDump -Path $folder -Verbose -Debug -Confirm:$false
            $bearer = New-KuduSession -ScmUri $site.scmUrl -Name contoso -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -Verbose -Debug
            $bearer | Format-List * | Out-String
            Get-KuduProcess -Session $bearer -Verbose -Debug
            Write-Information 'information stream is captured too'
            # Refused credentials: the error must not echo what was sent (New-KuduSession refuses them at once).
            New-KuduSession -ScmUri $site.scmUrl -Name contoso -Credential (New-TestCredential $site -Password "$password-wrong") -Verbose -Debug -ErrorAction Continue
            Get-KuduSession | Format-Table | Out-String
        } *>&1

        $text = ($captured | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() }
            else { $_ | Out-String }
        }) -join "`n"

        # The capture really holds every stream, or the assertions below would prove nothing.
        @($captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }) | Should -Not -BeNullOrEmpty
        @($captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -Not -BeNullOrEmpty
        @($captured | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }) | Should -Not -BeNullOrEmpty
        @($captured | Where-Object { $_ -is [KuduDiagnostics.KuduDumpResult] }) | Should -HaveCount 1
        $text | Should -BeLike '*api/processes*'

        $text | Should -Not -BeLike "*$password*"
        $text | Should -Not -BeLike "*$token*"
        $basicHeader = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("`$contoso:$password"))
        $text | Should -Not -BeLike "*$basicHeader*"
        Get-DumpFiles $folder | ForEach-Object { $_.Name | Should -Not -BeLike "*$password*" }
    }
}
