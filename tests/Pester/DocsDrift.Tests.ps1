# Issue 23: the docs cannot drift from the code. Every -Parameter a cmdlet page names outside its SYNTAX blocks and
# parameter headings (which Help.Tests.ps1 checks) must be a parameter (or alias) of a command named there: in
# PowerShell code the parser says which command a -Name belongs to (`Remove-Item -Force` is Remove-Item's, `-like`
# is an operator); in prose it must belong to the page's cmdlet, a command the paragraph names, or one the example's
# code runs; in sample output (the module's own warnings) to one of the module's cmdlets. Commands that are not
# installed here (Az.*, Get-Secret) cannot be checked and are counted as such. Every column of a sample table in
# docs/ and README.md must be a column of one of the module's views, or a property a Select-Object/Format-Table
# before it names. Needs the built module, not the emulator.

BeforeDiscovery {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $manifest = if ($env:KUDU_TEST_MODULE) { $env:KUDU_TEST_MODULE } else { Join-Path $repoRoot 'out/KuduDiagnostics/KuduDiagnostics.psd1' }
    $exported = if (Test-Path $manifest) { @((Import-PowerShellDataFile $manifest).CmdletsToExport) } else { @() }
    $cmdletPages = @(foreach ($name in $exported) {
            $path = Join-Path $repoRoot "docs/$name.md"
            if (Test-Path $path) { @{ Name = $name; Path = $path } }
        })
    $allPages = @(@(Get-ChildItem (Join-Path $repoRoot 'docs') -Filter *.md) + @(Get-Item (Join-Path $repoRoot 'README.md')) |
            ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/Tools/DocsDrift.psm1') -Force -Verbose:$false
    $module = Get-Module KuduDiagnostics
    $script:Exported = @($module.ExportedCmdlets.Keys)

    $script:CommandCache = @{}
    function Resolve-DocCommand {
        <# The command a page names, as this pwsh has it (aliases such as `Where` followed), or $null when not installed. #>
        param([string] $Name)
        if (-not $CommandCache.ContainsKey($Name)) {
            $c = Get-Command $Name -ErrorAction Ignore | Select-Object -First 1
            if ($c -is [System.Management.Automation.AliasInfo]) { $c = $c.ResolvedCommand }
            # With its dynamic parameters: a page names -CpuAbove of Invoke-FunctionAppDump, which exists after -Watch.
            $CommandCache[$Name] = if ($c -and $c.CommandType -in 'Cmdlet', 'Function') { Get-DocumentedCommand $c } else { $null }
        }
        $CommandCache[$Name]
    }

    function Test-CommandParameter {
        param($Command, [string] $Parameter)
        if ($Command.Parameters.ContainsKey($Parameter)) { return $true }
        [bool] @($Command.Parameters.Values | Where-Object { $_.Aliases -contains $Parameter }).Count
    }

    function Test-DocMention {
        <# 'ok', 'unverifiable' (its command is not installed here) or the failure text. #>
        param($Mention)
        $names = switch ($Mention.Kind) { 'Output' { $Exported } default { $Mention.Commands } }
        $commands = @($names | ForEach-Object { Resolve-DocCommand $_ } | Where-Object { $_ })
        if (@($commands | Where-Object { Test-CommandParameter $_ $Mention.Parameter }).Count) { return 'ok' }
        if ($Mention.Kind -eq 'Code' -and -not $commands.Count) { return 'unverifiable' }
        $whose = if ($commands.Count) { ($commands | ForEach-Object Name | Select-Object -Unique) -join ', ' } else { 'no command named there' }
        "$($Mention.File):$($Mention.Line) ($($Mention.Where)): -$($Mention.Parameter) is no parameter of $whose (correct it, or name the command it belongs to)"
    }

    # Every column the module's views show (table headers, list labels), by view, from the formatting PowerShell loaded.
    $script:Views = @(foreach ($type in Get-FormatData -TypeName 'KuduDiagnostics.*' -PowerShellVersion $PSVersionTable.PSVersion) {
            foreach ($view in $type.FormatViewDefinition) {
                $control = $view.Control
                $labels = if ($control -is [System.Management.Automation.TableControl]) {
                    for ($i = 0; $i -lt $control.Headers.Count; $i++) {
                        if ($control.Headers[$i].Label) { $control.Headers[$i].Label } else { $control.Rows[0].Columns[$i].DisplayEntry.Value }
                    }
                }
                elseif ($control -is [System.Management.Automation.ListControl]) {
                    foreach ($item in $control.Entries[0].Items) { if ($item.Label) { $item.Label } else { $item.DisplayEntry.Value } }
                }
                [pscustomobject]@{ Name = "$($type.TypeName) ($($view.Name))"; Columns = @($labels) }
            }
        })
    # Properties of the module's output objects, for tables a sample makes itself with Select-Object or Format-Table.
    $assemblies = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'KuduDiagnostics*' -and -not $_.IsDynamic }
    $script:Properties = @($assemblies | ForEach-Object { $_.GetExportedTypes() } | Where-Object Namespace -like 'KuduDiagnostics*' |
            ForEach-Object { $_.GetProperties() } | ForEach-Object Name | Select-Object -Unique)

    function Get-ExplicitColumn {
        <# The columns a piece of code asks for: Select-Object/Format-Table property names and calculated Name/Label. #>
        param([string] $Code)
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        foreach ($command in $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $c = Resolve-DocCommand ($command.GetCommandName())
            if (-not $c -or $c.Name -notin 'Select-Object', 'Format-Table') { continue }
            $elements = @($command.CommandElements | Select-Object -Skip 1)
            for ($i = 0; $i -lt $elements.Count; $i++) {
                $e = $elements[$i]
                if ($e -is [System.Management.Automation.Language.CommandParameterAst]) {
                    $p = $c.Parameters[$e.ParameterName]
                    # -First 3 takes the next element; -AutoSize and -Property a, b do not hide columns.
                    if ($e.ParameterName -notmatch '^Prop' -and -not $e.Argument -and $p -and -not $p.SwitchParameter) { $i++ }
                    continue
                }
                foreach ($item in @(if ($e -is [System.Management.Automation.Language.ArrayLiteralAst]) { $e.Elements } else { $e })) {
                    if ($item -is [System.Management.Automation.Language.StringConstantExpressionAst]) { [pscustomobject]@{ Name = $item.Value; Calculated = $false } }
                    elseif ($item -is [System.Management.Automation.Language.HashtableAst]) {
                        foreach ($pair in $item.KeyValuePairs) { if ("$($pair.Item1)" -match '^(N|Name|L|Label)$') { [pscustomobject]@{ Name = "$($pair.Item2)".Trim("'", '"', ' '); Calculated = $true } } }
                    }
                }
            }
        }
    }

    function Test-DocTable {
        <# $null when a view (or the sample's own Select-Object/Format-Table) has every column, else the failure text. #>
        param($Table)
        if (@($Views | Where-Object { $v = $_; -not @($Table.Columns | Where-Object { $v.Columns -cnotcontains $_ }).Count }).Count) { return $null }
        $explicit = @(Get-ExplicitColumn $Table.Code)
        if ($explicit.Count) {
            $asked = @($explicit | ForEach-Object Name)
            $unknown = @($Table.Columns | Where-Object { $asked -notcontains $_ })
            $unknown += @($explicit | Where-Object { -not $_.Calculated -and $Properties -notcontains $_.Name -and $Table.Columns -contains $_.Name } | ForEach-Object Name)
            if (-not $unknown.Count) { return $null }
            return "$($Table.File):$($Table.Line) ($($Table.Where)): column(s) $($unknown -join ', ') are neither asked for by the code before it ($($asked -join ', ')) nor properties of the module's objects"
        }
        $best = $Views | Sort-Object -Descending { $v = $_; @($Table.Columns | Where-Object { $v.Columns -ccontains $_ }).Count } | Select-Object -First 1
        $unknown = @($Table.Columns | Where-Object { $best.Columns -cnotcontains $_ })
        "$($Table.File):$($Table.Line) ($($Table.Where)): column(s) $($unknown -join ', ') are in no view; the closest, $($best.Name), has $($best.Columns -join ', ')"
    }
}

Describe 'Parameters named in docs/<Name>.md' -ForEach $cmdletPages {
    BeforeAll {
        $mentions = @(Get-DocParameterMention -Path $Path -PageCommand $Name)
        $results = @(foreach ($m in $mentions) { Test-DocMention $m })
    }

    It 'names parameters at all (the reader finds what it checks)' {
        @($results | Where-Object { $_ -eq 'ok' }).Count | Should -BeGreaterThan 5 -Because "docs/$Name.md names its own parameters in examples and prose"
    }

    It 'names only parameters that the commands named there have' {
        @($results | Where-Object { $_ -notin 'ok', 'unverifiable' }) | Should -BeNullOrEmpty -Because 'each -Parameter the page names must exist'
    }
}

Describe 'Columns of the sample tables in <Name>' -ForEach $allPages {
    It 'shows only columns the module''s views (or the sample''s own Select-Object/Format-Table) have' {
        $tables = @(Get-DocOutputTable -Path $Path)
        @($tables | ForEach-Object { Test-DocTable $_ } | Where-Object { $_ }) | Should -BeNullOrEmpty -Because 'a sample table must show what the module prints'
    }
}

Describe 'The docs-drift reader' -ForEach @(@{ Pages = $allPages }) {
    It 'finds the sample tables of the pages (a reader that found none would check nothing)' {
        $tables = @(foreach ($p in $Pages) { Get-DocOutputTable -Path $p.Path })
        $tables.Count | Should -BeGreaterThan 20
        ($tables | Where-Object { $_.Columns -contains 'Biggest types' }) | Should -Not -BeNullOrEmpty -Because 'headers with a space are cut where the dashes are'
    }

    It 'ties a -Parameter to the command the parser gives it, and skips operators' {
        $m = @(Get-CodeCommand "Get-ChildItem ./dumps | Where-Object { `$_.Name -like '*.dmp' } | Remove-Item -Force")
        @($m | Where-Object Name -eq 'Remove-Item' | ForEach-Object Parameters | ForEach-Object Name) | Should -Be 'Force'
        @($m | ForEach-Object Parameters | ForEach-Object Name) | Should -Not -Contain 'like'
    }
}
