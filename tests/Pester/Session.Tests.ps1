BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $clientId = [guid]::NewGuid().ToString()
    $scenario = @{
        sites = @(
            @{ name = 'contoso'; instanceCount = 1; basicAuth = @{ userName = '$contoso'; password = 'Pa55-word-contoso-7f3e' }
               bearerTokens = @(@{ token = 'static-appservice-token-5b1d9c'; audience = 'https://appservice.azure.com' }) }
            @{ name = 'locked'; instanceCount = 1; basicAuth = @{ userName = '$locked'; password = 'Pa55-word-locked-2a8c'; enabled = $false } }
        )
        # This file's own user-assigned identity: Azure.Identity caches managed-identity tokens per process.
        identity = @{ userAssigned = @(@{ clientId = $clientId; principalId = [guid]::NewGuid().ToString() }) }
    }
    $emulator = Start-KuduEmulator -Scenario $scenario
    $contoso = Get-TestSite $emulator 'contoso'
    $locked = Get-TestSite $emulator 'locked'
}

AfterAll {
    Remove-KuduSession -All -Confirm:$false
    if ($emulator) { Stop-KuduEmulator $emulator }
}

Describe 'New-KuduSession' {
    BeforeEach { Remove-KuduSession -All -Confirm:$false }

    It 'connects with publishing credentials and becomes the default session' {
        $session = New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -Credential (New-TestCredential $contoso)

        $session | Should -BeOfType ([KuduDiagnostics.KuduSession])
        $session.SiteName | Should -Be 'contoso'
        $session.AuthenticationType | Should -Be 'Basic'
        $session.UserName | Should -Be '$contoso'
        (Get-KuduSession -Default).Id | Should -Be $session.Id
        @(Get-KuduProcess).Count | Should -BeGreaterThan 0
    }

    It 'takes host and credentials from a .PublishSettings file' {
        $file = Join-Path (New-TestFolder) 'contoso.PublishSettings'
        $publishUrl = ([uri]$contoso.scmUrl).Authority
        @"
<publishData>
  <publishProfile profileName="contoso - Web Deploy" publishMethod="MSDeploy" publishUrl="http://$publishUrl" msdeploySite="contoso" userName="$($contoso.userName)" userPWD="$($contoso.password)" destinationAppUrl="http://contoso.azurewebsites.net" />
</publishData>
"@ | Set-Content -Path $file

        $session = New-KuduSession -PublishSettingsPath $file

        $session.SiteName | Should -Be 'contoso'
        $session.ScmUri.Authority | Should -Be $publishUrl
        @(Get-KuduProcess -Session $session).Count | Should -BeGreaterThan 0
    }

    It 'sends an access token given as a SecureString' {
        $token = ConvertTo-SecureString 'static-appservice-token-5b1d9c' -AsPlainText -Force
        $session = New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -AccessToken $token

        $session.AuthenticationType | Should -Be 'AccessToken'
        @(Get-KuduProcess -Session $session).Count | Should -BeGreaterThan 0
    }

    It 'derives the SCM host from the site name and slot' {
        # Issue 13: the session is checked at once, and there is no network here: the failure names the derived host.
        $session = New-KuduSession -Name contoso -Slot staging -Credential (New-TestCredential $contoso) -ErrorVariable err -ErrorAction SilentlyContinue
        $session | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduUnreachable,*'
        $err[0].Exception.Message | Should -BeLike '*contoso-staging.scm.azurewebsites.net*'
    }

    It 'refuses http:// to a host that is not loopback, before sending anything' {
        New-KuduSession -ScmUri 'http://contoso.scm.azurewebsites.net' -Credential (New-TestCredential $contoso) -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduUnencryptedConnection,*'
        $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $err[0].Exception.Message | Should -BeLike '*-AllowUnencryptedAuthentication*'
        @(Get-KuduSession) | Should -HaveCount 0
    }

    It 'reports a malformed publish settings file as <Case>' -ForEach @(
        @{ Case = 'not XML'; Content = 'this is not xml at all Pa55-word' }
        @{ Case = 'no Web Deploy profile'; Content = '<publishData><publishProfile publishMethod="FTP" userPWD="Pa55-word" /></publishData>' }
        @{ Case = 'missing password'; Content = '<publishData><publishProfile profileName="p" publishMethod="MSDeploy" publishUrl="x.scm.azurewebsites.net:443" userName="$x" /></publishData>' }
    ) {
        $file = Join-Path (New-TestFolder) 'bad.PublishSettings'
        Set-Content -Path $file -Value $Content

        New-KuduSession -PublishSettingsPath $file -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PublishSettingsInvalid,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $file
        $err[0].Exception.Message | Should -Not -BeLike '*Pa55-word*'
    }
}

Describe 'Credentials refused' {
    BeforeAll { Remove-KuduSession -All -Confirm:$false }

    It 'explains a 401 for <Case>' -ForEach @(
        @{ Case = 'a wrong password'; Site = 'contoso'; Password = 'wrong-password' }
        @{ Case = 'SCM basic auth disabled on the site'; Site = 'locked'; Password = $null }
    ) {
        $target = Get-TestSite $emulator $Site
        $cred = if ($Password) { New-TestCredential $target -Password $Password } else { New-TestCredential $target }

        # Issue 13: New-KuduSession checks at once, so the refusal comes from it, not from the first use.
        $result = New-KuduSession -ScmUri $target.scmUrl -Name $Site -Credential $cred -ErrorVariable err -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAuthenticationFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err[0].Exception.Message | Should -BeLike '*401*'
        $err[0].Exception.Message | Should -BeLike '*basic authentication may be disabled*'
        $err[0].Exception.Message | Should -BeLike '*token*'
    }

    It 'reports an unreachable host' {
        $port = Get-FreeTcpPort

        # Issue 13: checked at once.
        New-KuduSession -ScmUri "http://127.0.0.1:$port" -Name gone -Credential (New-TestCredential $contoso) -ErrorVariable err -ErrorAction SilentlyContinue

        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduUnreachable,*'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $err[0].Exception.Message | Should -BeLike "*127.0.0.1:$port*"
    }
}

Describe 'Get-KuduSession and Remove-KuduSession' {
    BeforeAll { Remove-KuduSession -All -Confirm:$false }

    It 'lists sessions, keeps the newest as default, and falls back when it is removed' {
        # Issue 13: 'locked' refuses Basic, so New-KuduSession no longer makes a session to it.
        $first = New-EmulatorSession $emulator 'contoso'
        $second = New-EmulatorSession $emulator 'contoso'

        @(Get-KuduSession).Id | Should -Be @($first.Id, $second.Id)
        (Get-KuduSession -Default).Id | Should -Be $second.Id

        $second | Remove-KuduSession -Confirm:$false

        $second.IsClosed | Should -BeTrue
        (Get-KuduSession -Default).Id | Should -Be $first.Id
        Get-KuduProcess -Session $second -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduSessionClosed,*'
    }

    It 'says how to start when there is no session' {
        Remove-KuduSession -All -Confirm:$false
        { Get-KuduProcess -ErrorAction Stop } | Should -Throw -ErrorId 'KuduSessionNotFound,KuduDiagnostics.Commands.GetKuduProcessCommand'
    }
}

Describe 'Sessions checked at once' {
    BeforeEach { Remove-KuduSession -All -Confirm:$false }

    It 'asks Kudu once before keeping a session' {
        Reset-KuduEmulator $emulator
        $session = New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -Credential (New-TestCredential $contoso)

        $stats = Get-KuduEmulatorStats $emulator 'contoso'
        $stats.totalRequests | Should -Be 1
        $stats.requests.other | Should -Be 1 -Because 'GET /api/environment is neither a list nor a detail'
        $session.PinnedInstance | Should -Be $contoso.instances[0]
    }

    It 'refuses credentials at once: nothing registered, the default unchanged' {
        $good = New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -Credential (New-TestCredential $contoso)

        $bad = New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -Credential (New-TestCredential $contoso -Password 'wrong-password') -ErrorVariable err -ErrorAction SilentlyContinue

        $bad | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KuduAuthenticationFailed,KuduDiagnostics.Commands.NewKuduSessionCommand'
        $err[0].TargetObject | Should -Be $contoso.scmUrl
        @(Get-KuduSession).Id | Should -Be @($good.Id)
        (Get-KuduSession -Default).Id | Should -Be $good.Id
    }

    It 'keeps no session whose managed-identity token failed, and the next try asks again' {
        $env:IDENTITY_ENDPOINT = $emulator.identityEndpoint
        try {
            $env:IDENTITY_HEADER = 'not-the-identity-header'
            New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -UseAzureIdentity -ManagedIdentityClientId $clientId -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduAuthenticationFailed,*'
            @(Get-KuduSession) | Should -HaveCount 0

            $env:IDENTITY_HEADER = $emulator.identityHeader
            $session = New-KuduSession -ScmUri $contoso.scmUrl -Name contoso -UseAzureIdentity -ManagedIdentityClientId $clientId
            $session.AuthenticationType | Should -Be 'AzureIdentity'
            @(Get-KuduProcess -Session $session) | Should -Not -BeNullOrEmpty
        }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore }
    }

    It 'says a removed session was removed and what to do, without .NET''s object name' {
        $session = New-EmulatorSession $emulator 'contoso'
        $session | Remove-KuduSession -Confirm:$false

        Get-KuduProcess -Session $session -ErrorVariable err -ErrorAction SilentlyContinue

        $err[0].FullyQualifiedErrorId | Should -BeLike 'KuduSessionClosed,*'
        $err[0].Exception.Message | Should -BeLike "The Kudu session $($session.Id) to contoso was removed*New-KuduSession*"
        $err[0].Exception.Message | Should -Not -BeLike '*Object name*'
    }
}
