# End to end: the docs/ pages, turned into MAML, are what Get-Help shows for the built module, and they describe
# the compiled cmdlets exactly. Needs the built module (build.ps1 -Task Build), not the Kudu emulator.
# The help is generated into a temp copy of the module, which a fresh pwsh imports: this session may already have
# the module (without help, or an older one) loaded.

BeforeDiscovery {
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $manifest = if ($env:KUDU_TEST_MODULE) { $env:KUDU_TEST_MODULE } else { Join-Path $repoRoot 'out/KuduDiagnostics/KuduDiagnostics.psd1' }
    $cmdlets = if (Test-Path $manifest) { @((Import-PowerShellDataFile $manifest).CmdletsToExport | ForEach-Object { @{ Name = $_ } }) } else { @() }
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $RepoRoot 'tests/Tools/KuduTestTools.psm1') -Force -Verbose:$false
    Import-Module (Join-Path $RepoRoot 'tests/Tools/HelpGenerator.psm1') -Force -Verbose:$false
    $manifest = if ($env:KUDU_TEST_MODULE) { $env:KUDU_TEST_MODULE } else { Join-Path $RepoRoot 'out/KuduDiagnostics/KuduDiagnostics.psd1' }
    if (-not (Test-Path $manifest)) { throw "The module is not built ($manifest): run 'dotnet pwsh ./build.ps1 -Task Build' first." }
    $script:Exported = @((Import-PowerShellDataFile $manifest).CmdletsToExport)

    $docs = Join-Path $RepoRoot 'docs'
    $script:Pages = @{}
    foreach ($file in Get-HelpMarkdownFile -DocsPath $docs) { $Pages[$file.BaseName] = ConvertFrom-HelpMarkdown $file.FullName }

    # A copy of the module with the generated help where Get-Help looks for a binary module's help.
    $copy = Join-Path $TestDrive 'KuduDiagnostics'
    Copy-Item -Recurse (Split-Path -Parent $manifest) $copy
    $script:HelpFile = (ConvertTo-MamlHelp -DocsPath $docs -OutputPath (Join-Path $copy 'en-US/KuduDiagnostics.dll-Help.xml')).FullName

    # One fresh pwsh reads everything (pwsh start-up is the slow part): Get-Help's view and Get-Command's metadata.
    $probe = Join-Path $TestDrive 'probe.ps1'
    Set-Content -Path $probe -Encoding utf8 -Value @'
param([string] $Manifest, [string] $OutFile, [string] $DocsDrift)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$module = Import-Module $Manifest -PassThru
Import-Module $DocsDrift
$common = [System.Management.Automation.PSCmdlet]::CommonParameters
$pipeline = { param($p) if ($p.ValueFromPipeline -and $p.ValueFromPipelineByPropertyName) { 'True (ByValue, ByPropertyName)' } elseif ($p.ValueFromPipeline) { 'True (ByValue)' } elseif ($p.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' } else { 'False' } }
$commands = foreach ($name in @($module.ExportedCmdlets.Keys | Sort-Object)) {
    $help = Get-Help $name -Full
    # With its dynamic parameters (Invoke-FunctionAppDump's triggers, after -Watch): the page documents them too.
    $cmd = Get-DocumentedCommand (Get-Command $name)
    [ordered]@{
        Name             = $name
        HelpFile         = Split-Path -Leaf $cmd.HelpFile   # the file name Get-Help looks for in <module>/<culture>/
        Synopsis         = [string] $help.Synopsis
        # Get-Help ends each paragraph but the last with a line break, and puts empty items between them.
        Description      = @($help.description | ForEach-Object { "$($_.Text)".TrimEnd() } | Where-Object { $_ })
        HelpParameters   = @(foreach ($p in @($help.parameters.parameter)) { if ($p) { [ordered]@{ Name = [string] $p.name; Description = (@($p.description | ForEach-Object Text) -join "`n") } } })
        Examples         = @(foreach ($e in @($help.examples.example)) { if ($e) { [ordered]@{ Title = [string] $e.title; Code = [string] $e.code; Remarks = (@($e.remarks | ForEach-Object Text) -join "`n") } } })
        FullText         = Get-Help $name -Full | Out-String -Width 200
        DefaultSet       = $cmd.DefaultParameterSet
        ParameterSets    = @(foreach ($set in $cmd.ParameterSets) {
                [ordered]@{
                    Name       = $set.Name
                    Parameters = @(foreach ($p in $set.Parameters) {
                            if ($common -contains $p.Name) { continue }
                            [ordered]@{
                                Name     = $p.Name
                                Required = $p.IsMandatory
                                Position = $(if ($p.Position -eq [int]::MinValue) { 'Named' } else { [string] $p.Position })
                                Pipeline = & $pipeline $p
                            }
                        })
                }
            })
        Parameters       = @(foreach ($p in $cmd.Parameters.Values) {
                if ($common -contains $p.Name) { continue }
                $type = $p.ParameterType
                if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
                $validateSet = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
                [ordered]@{
                    Name           = $p.Name
                    Type           = $type.Name
                    Aliases        = @($p.Aliases)
                    Wildcards      = [bool] ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                    AcceptedValues = @(if ($validateSet) { $validateSet.ValidValues })
                }
            })
    }
}
ConvertTo-Json -InputObject @($commands) -Depth 8 | Set-Content -Path $OutFile -Encoding utf8
'@
    $json = Join-Path $TestDrive 'help.json'
    $output = Invoke-Pwsh -NoProfile -NonInteractive -File $probe -Manifest (Join-Path $copy 'KuduDiagnostics.psd1') -OutFile $json `
        -DocsDrift (Join-Path $RepoRoot 'tests/Tools/DocsDrift.psm1') 2>&1
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $json)) { throw "The probe pwsh failed ($LASTEXITCODE): $($output -join "`n")" }
    $script:Seen = @{}
    foreach ($c in (Get-Content -Raw $json | ConvertFrom-Json)) { $Seen[$c.Name] = $c }

    function Get-PageParameterView {
        <# What a page says of a parameter in one parameter set (the yaml block that names the set), or $null. #>
        param($Page, [string] $Set, [string] $Parameter)
        $p = $Page.Parameters | Where-Object Name -eq $Parameter
        if (-not $p) { return $null }
        $p.Blocks | Where-Object { $_.ParameterSets -contains '(All)' -or $_.ParameterSets -contains $Set } | Select-Object -First 1
    }
}

Describe 'Help pages' {
    It 'has a page for every exported cmdlet, and every page names an exported cmdlet' {
        @($Pages.Keys | Where-Object { $Exported -notcontains $_ }) | Should -BeNullOrEmpty -Because 'a page must document a cmdlet the module exports'
        @($Exported | Where-Object { -not $Pages.ContainsKey($_) }) | Should -BeNullOrEmpty -Because 'every exported cmdlet needs docs/<Cmdlet>.md'
    }

    It 'exports exactly the cmdlets the manifest lists' {
        @($Seen.Keys | Sort-Object) | Should -Be @($Exported | Sort-Object)
    }
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll {
        $page = $Pages[$Name]
        $help = $Seen[$Name]
        if (-not $page) { throw "docs/$Name.md is missing." }
    }

    It 'comes from the generated help file' {
        $help.HelpFile | Should -Be (Split-Path -Leaf $HelpFile) -Because 'Get-Help looks for <root assembly>-Help.xml'
        $help.Synopsis | Should -Be $page.Synopsis -Because 'without the MAML, Get-Help shows the syntax as the synopsis'
    }

    It 'shows a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Description) | Should -Be @($page.Description)
    }

    It 'describes every parameter of the cmdlet, and no other' {
        $actual = @($help.Parameters | ForEach-Object Name)
        $described = @($help.HelpParameters | Where-Object { $_.Description.Trim() } | ForEach-Object Name)
        @($actual | Where-Object { $described -notcontains $_ }) | Should -BeNullOrEmpty -Because "every parameter of $Name needs a '### -<Name>' entry with a description in docs/$Name.md"
        @($help.HelpParameters | ForEach-Object Name | Where-Object { $actual -notcontains $_ }) | Should -BeNullOrEmpty -Because "docs/$Name.md must not document parameters the cmdlet does not have"
    }

    It 'shows at least two examples, each with code and an explanation' {
        @($help.Examples).Count | Should -BeGreaterOrEqual 2
        foreach ($e in @($help.Examples)) {
            $e.Code | Should -Not -BeNullOrEmpty
            $e.Remarks | Should -Not -BeNullOrEmpty
        }
    }

    It 'renders every section as text' {
        foreach ($heading in 'NAME', 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') {
            $help.FullText | Should -Match "(?m)^$heading\s*$"
        }
        $help.FullText | Should -Match '-------------------------- Example 1: '
        $help.FullText | Should -Match ([regex]::Escape("$Name [")) -Because 'SYNTAX comes from the generated syntax items'
    }

    It 'lists the parameter sets the cmdlet has, and its default one' {
        @($page.Syntax | ForEach-Object ParameterSet | Sort-Object) | Should -Be @($help.ParameterSets | ForEach-Object Name | Sort-Object)
        $default = ($page.Syntax | Where-Object IsDefault).ParameterSet
        if ($help.DefaultSet) { $default | Should -Be $help.DefaultSet } else { $default | Should -Be '__AllParameterSets' }
    }

    It 'gives each parameter the type, aliases, wildcard support and accepted values the cmdlet has' {
        $wrong = foreach ($actual in @($help.Parameters)) {
            $p = $page.Parameters | Where-Object Name -eq $actual.Name
            if (-not $p) { continue }   # reported by 'describes every parameter'
            $b = $p.Blocks[0]
            if ($b.Type -cne $actual.Type) { "-$($actual.Name): Type is $($actual.Type), the page says $($b.Type)" }
            if ((@($b.Aliases) -join ', ') -ne (@($actual.Aliases) -join ', ')) { "-$($actual.Name): Aliases are '$(@($actual.Aliases) -join ', ')', the page says '$(@($b.Aliases) -join ', ')'" }
            if ($b.Globbing -ne $actual.Wildcards) { "-$($actual.Name): Accept wildcard characters is $($actual.Wildcards), the page says $($b.Globbing)" }
            if ((@($b.AcceptedValues) -join ', ') -ne (@($actual.AcceptedValues) -join ', ')) { "-$($actual.Name): Accepted values are '$(@($actual.AcceptedValues) -join ', ')', the page says '$(@($b.AcceptedValues) -join ', ')'" }
        }
        @($wrong) | Should -BeNullOrEmpty -Because "docs/$Name.md must match the cmdlet"
    }

    It 'says, in each parameter set, which parameters belong to it and whether they are required, positional and piped' {
        $wrong = foreach ($set in $help.ParameterSets) {
            $documented = @($page.Parameters | Where-Object { Get-PageParameterView $page $set.Name $_.Name } | ForEach-Object Name)
            # ForEach-Object, not .Name: on an empty set (Get-KuduSession's 'All') .Name would give one $null.
            $inSet = @($set.Parameters | ForEach-Object Name)
            foreach ($missing in @($inSet | Where-Object { $documented -notcontains $_ })) { "-${missing}: the cmdlet has it in set $($set.Name), which its yaml does not name" }
            foreach ($extra in @($documented | Where-Object { $inSet -notcontains $_ })) { "-${extra}: the yaml puts it in set $($set.Name), where the cmdlet lacks it" }
            foreach ($actual in @($set.Parameters)) {
                $b = Get-PageParameterView $page $set.Name $actual.Name
                if (-not $b) { continue }
                if ($b.Required -ne $actual.Required) { "-$($actual.Name) in $($set.Name): Required is $($actual.Required), the page says $($b.Required)" }
                if ($b.Position -ne $actual.Position) { "-$($actual.Name) in $($set.Name): Position is $($actual.Position), the page says $($b.Position)" }
                if ($b.PipelineInput -ne $actual.Pipeline) { "-$($actual.Name) in $($set.Name): Accept pipeline input is $($actual.Pipeline), the page says $($b.PipelineInput)" }
            }
        }
        @($wrong) | Should -BeNullOrEmpty -Because "docs/$Name.md must match the cmdlet"
    }
}
