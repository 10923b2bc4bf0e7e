# Issue 24, point 6: Invoke-FunctionAppDump's parameter sets say what combines (a way to the app, one way to sign in,
# one destination), and the watch triggers exist only with -Watch, so Get-Command -Syntax and tab completion tell the
# truth and PowerShell's own binder refuses the rest. No emulator: the binder refuses before the command runs.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # Dynamic, with -Watch only; -For and -Timeout are static (a dynamic -For would be ambiguous with -Force and
    # -Format, a dynamic -Timeout would bind -TimeoutSec) and refused at run time without -Watch.
    $script:Triggers = 'PrivateMemoryAbove', 'WorkingSetAbove', 'CpuAbove', 'ThreadCountAbove', 'HandleCountAbove', 'Interval', 'Count', 'Cooldown'
    $script:Timing = 'For', 'Timeout'
    $script:Plain = Get-Command Invoke-FunctionAppDump
    $script:Watching = Get-Command Invoke-FunctionAppDump -ArgumentList '-Watch'
    $script:Destinations = 'Path', 'BlobContainerUri', 'ConnectionString'
    $script:Auth = 'Credential', 'AccessToken', 'UseAzureIdentity'

    function Get-BindingError {
        <# The error a user sees for a command line, from a runspace without a host: a missing mandatory parameter is an error there, not a prompt. #>
        param([string] $Script)
        $iss = [initialsessionstate]::CreateDefault2()
        $iss.ImportPSModule($ModuleManifest)
        $ps = [powershell]::Create($iss)
        try {
            # A binding error ends its statement: it lands in the error stream, as it does for a user.
            $ps.AddScript($Script).Invoke() | Out-Null
            $ps.Streams.Error | Select-Object -First 1
        }
        finally { $ps.Dispose() }
    }

    function Get-SetMember {
        param($Set)
        @($Set.Parameters | ForEach-Object Name)
    }
}

Describe 'Invoke-FunctionAppDump parameter sets' {
    It 'are at most 32, what Windows PowerShell 5.1 allows: five ways to the app, -Name three times, by three destinations' {
        $Plain.ParameterSets.Count | Should -Be 21
        $Plain.ParameterSets.Count | Should -BeLessOrEqual 32
        $Plain.DefaultParameterSet | Should -Be 'Session'
    }

    It 'never put two ways to sign in in one set, and need exactly one with -Name' {
        foreach ($set in $Plain.ParameterSets) {
            $members = Get-SetMember $set
            @($Auth | Where-Object { $members -contains $_ }).Count | Should -BeLessOrEqual 1 -Because "set $($set.Name) has $($members -join ', ')"
            if ($members -contains 'Name') {
                $mandatory = @($set.Parameters | Where-Object { $_.IsMandatory -and $Auth -contains $_.Name } | ForEach-Object Name)
                $mandatory | Should -HaveCount 1 -Because "set $($set.Name) must ask for one way to sign in"
            }
        }
    }

    It 'have one destination each; -Container only with -ConnectionString, both required; -Analyze only with -Path' {
        foreach ($set in $Plain.ParameterSets) {
            $members = Get-SetMember $set
            @($Destinations | Where-Object { $members -contains $_ }) | Should -HaveCount 1 -Because "set $($set.Name) has $($members -join ', ')"
            if ($members -contains 'Container') {
                @($set.Parameters | Where-Object { $_.Name -in 'Container', 'ConnectionString' -and $_.IsMandatory }) | Should -HaveCount 2
            }
            else { $members | Should -Not -Contain 'ConnectionString' }
            if ($members -contains 'Analyze') { $members | Should -Contain 'Path' }
            if ($members -contains 'BlobPrefix') { $members | Should -Not -Contain 'Path' }
        }
    }

    It 'keep pipeline binding: a session by value and by property name, a resource id by property name' {
        foreach ($set in $Plain.ParameterSets | Where-Object Name -like 'Session*') {
            $p = $set.Parameters | Where-Object Name -eq 'Session'
            $p.ValueFromPipeline | Should -BeTrue
            $p.ValueFromPipelineByPropertyName | Should -BeTrue
        }
        foreach ($set in $Plain.ParameterSets | Where-Object Name -like 'ResourceId*') {
            $p = $set.Parameters | Where-Object Name -eq 'ResourceId'
            $p.IsMandatory | Should -BeTrue
            $p.ValueFromPipelineByPropertyName | Should -BeTrue
        }
    }

    It 'offer no watch trigger without -Watch, and all of them in every set with it' {
        @($Triggers | Where-Object { $Plain.Parameters.ContainsKey($_) }) | Should -BeNullOrEmpty
        (Get-Command Invoke-FunctionAppDump -Syntax) | Should -Not -Match 'CpuAbove'
        foreach ($set in $Watching.ParameterSets) {
            $members = Get-SetMember $set
            @($Triggers | Where-Object { $members -notcontains $_ }) | Should -BeNullOrEmpty -Because "set $($set.Name) with -Watch"
        }
    }

    It 'share the triggers with Watch-KuduProcess: one declaration, same types and checks' {
        $watch = Get-Command Watch-KuduProcess
        foreach ($name in $Triggers + $Timing) {
            $a = $Watching.Parameters[$name]
            $b = $watch.Parameters[$name]
            $b | Should -Not -BeNullOrEmpty -Because "Watch-KuduProcess has -$name"
            $a.ParameterType | Should -Be $b.ParameterType
            ($a.Attributes | ForEach-Object { $_.GetType().Name } | Sort-Object) -join ',' |
                Should -Be (($b.Attributes | ForEach-Object { $_.GetType().Name } | Sort-Object) -join ',')
        }
    }

    It 'complete triggers only once -Watch is typed' {
        (TabExpansion2 -inputScript 'Invoke-FunctionAppDump -CpuA' -cursorColumn 28).CompletionMatches | Should -BeNullOrEmpty
        (TabExpansion2 -inputScript 'Invoke-FunctionAppDump -Watch -CpuA' -cursorColumn 35).CompletionMatches.CompletionText | Should -Be '-CpuAbove'
        (TabExpansion2 -inputScript 'Invoke-FunctionAppDump -Interv' -cursorColumn 30).CompletionMatches | Should -BeNullOrEmpty
        (TabExpansion2 -inputScript 'Invoke-FunctionAppDump -Name x -Credential $c -Acc' -cursorColumn 50).CompletionMatches | Should -BeNullOrEmpty
    }
}

Describe 'What PowerShell says when Invoke-FunctionAppDump parameters do not combine' {
    It '<Case>' -ForEach @(
        @{ Case = 'a trigger without -Watch: the parameter does not exist'; Script = 'Invoke-FunctionAppDump -CpuAbove 90 -WhatIf'
           ErrorId = 'NamedParameterNotFound'; Message = "A parameter cannot be found that matches parameter name 'CpuAbove'." }
        @{ Case = '-Interval without -Watch'; Script = 'Invoke-FunctionAppDump -Interval 5 -WhatIf'
           ErrorId = 'NamedParameterNotFound'; Message = "A parameter cannot be found that matches parameter name 'Interval'." }
        @{ Case = '-Credential with -AccessToken'; ErrorId = 'AmbiguousParameterSet'; Message = 'Parameter set cannot be resolved using the specified named parameters.*'
           Script = '$t = ConvertTo-SecureString t -AsPlainText -Force; Invoke-FunctionAppDump -Name x -Credential ([pscredential]::new("u", $t)) -AccessToken $t -WhatIf' }
        @{ Case = '-Name without a way to sign in'; Script = 'Invoke-FunctionAppDump -Name x -WhatIf'
           ErrorId = 'AmbiguousParameterSet'; Message = 'Parameter set cannot be resolved using the specified named parameters.*' }
        @{ Case = 'two destinations'; Script = 'Invoke-FunctionAppDump -ResourceId x -Path . -BlobContainerUri https://a.blob.core.windows.net/d -WhatIf'
           ErrorId = 'AmbiguousParameterSet'; Message = 'Parameter set cannot be resolved using the specified named parameters.*' }
        @{ Case = '-Analyze with a blob destination'; Script = 'Invoke-FunctionAppDump -ResourceId x -Analyze -BlobContainerUri https://a.blob.core.windows.net/d -WhatIf'
           ErrorId = 'AmbiguousParameterSet'; Message = 'Parameter set cannot be resolved using the specified named parameters.*' }
        @{ Case = '-Container without -ConnectionString, the way to the app given'; ErrorId = 'MissingMandatoryParameter'
           Script = '$t = ConvertTo-SecureString t -AsPlainText -Force; Invoke-FunctionAppDump -Name x -AccessToken $t -Container dumps -WhatIf'
           Message = 'Cannot process command because of one or more missing mandatory parameters: ConnectionString.' }
        @{ Case = '-ConnectionString without -Container'; Script = 'Invoke-FunctionAppDump -PublishSettingsPath x -ConnectionString c -WhatIf'
           ErrorId = 'MissingMandatoryParameter'; Message = 'Cannot process command because of one or more missing mandatory parameters: Container.' }
    ) {
        $record = Get-BindingError $Script
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -Be "$ErrorId,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand"
        $record.Exception.Message | Should -BeLike $Message
    }

    It '-Watch without a trigger is still the command''s own error, with its reason' {
        $record = Get-BindingError 'Invoke-FunctionAppDump -PublishSettingsPath x -Watch -WhatIf'
        $record.FullyQualifiedErrorId | Should -Be 'KuduWatchInvalid,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand'
    }

    It '-<Name> without -Watch is the command''s own error too (a static parameter: the binder cannot refuse it)' -ForEach @(
        @{ Name = 'For'; Value = '30' }, @{ Name = 'Timeout'; Value = '600' }
    ) {
        $record = Get-BindingError "Invoke-FunctionAppDump -PublishSettingsPath x -$Name $Value -WhatIf"
        $record.FullyQualifiedErrorId | Should -Be 'KuduWatchInvalid,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand'
        $record.Exception.Message | Should -Be "-$Name is a watch parameter: add -Watch to watch each site and dump what fires."
    }

    It 'binds the triggers, -For and -Timeout wherever -Watch stands, and -Timeout apart from -TimeoutSec' {
        # Were -Timeout matched to -TimeoutSec by prefix, this would be ParameterAlreadyBound; bound right, the
        # command gets as far as reading the publish settings file, which is not there.
        $record = Get-BindingError 'Invoke-FunctionAppDump -PublishSettingsPath ./no-such.PublishSettings -CpuAbove 90 -Timeout 60 -TimeoutSec 5 -For 5 -Interval 2 -Watch -Cooldown 1 -WhatIf'
        $record.FullyQualifiedErrorId | Should -Be 'PublishSettingsInvalid,KuduDiagnostics.Commands.InvokeFunctionAppDumpCommand'
    }
}
