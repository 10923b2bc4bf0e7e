# Unit tests of tests/Tools/HelpGenerator.psm1 on small pages written to TestDrive. No module build needed.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $RepoRoot 'tests/Tools/HelpGenerator.psm1') -Force

    # A small page that uses every feature: two parameter sets, a parameter whose Required differs by set,
    # accepted values, a switch, markup characters, a "# comment" inside code. Bad-page tests break one thing.
    $script:SamplePage = @'
# Get-Widget

## SYNOPSIS
Gets widgets & their <parts>.

## SYNTAX

### Name (Default)
```
Get-Widget [[-Name] <String[]>] [-Label <String>] [-Session <KuduSession>] [-Shade <String>] [-Force]
 [<CommonParameters>]
```

### Id
```
Get-Widget -Id <Int32[]> -Label <String> [-Session <KuduSession>] [-Shade <String>] [-Force] [<CommonParameters>]
```

## DESCRIPTION
The first paragraph is
wrapped over two lines.

A list follows:
- one item
- another "quoted" item

```
sample output
  indented
```

## EXAMPLES

### Example 1: Get all widgets
```powershell
# not a heading
Get-Widget | Where-Object { $_.Size -lt 3 -and $_.Name -ne "<none>" }
```

Gets every widget
smaller than 3.

Then filters.

### Example 2: Get one widget
```powershell
Get-Widget -Id 7 -Label x
```

Gets widget 7 & its label.

## PARAMETERS

### -Name
Names <a & "b">; wildcards allowed.

```yaml
Type: String[]
Parameter Sets: Name
Aliases: WidgetName

Required: False
Position: 0
Default value: None
Accept pipeline input: False
Accept wildcard characters: True
```

### -Id
Widget ids.

```yaml
Type: Int32[]
Parameter Sets: Id
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Label
A label; required with -Id.

```yaml
Type: String
Parameter Sets: Id
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

```yaml
Type: String
Parameter Sets: Name
Aliases:

Required: False
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Session
The session.

```yaml
Type: KuduSession
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: The default session
Accept pipeline input: True (ByValue, ByPropertyName)
Accept wildcard characters: False
```

### -Shade
The shade.

```yaml
Type: String
Parameter Sets: (All)
Aliases:
Accepted values: Light, Dark

Required: False
Position: Named
Default value: Light
Accept pipeline input: False
Accept wildcard characters: False
```

### -Force
Forces it.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

### CommonParameters
This cmdlet supports the common parameters.

## INPUTS

### KuduDiagnostics.KuduSession
Sessions bind to -Session.

## OUTPUTS

### None

## NOTES
ErrorIds: `WidgetNotFound`.

## RELATED LINKS

- [Get-KuduSession](Get-KuduSession.md)
- [Widgets](https://example.com/widgets?a=1&b=2)
'@

    function New-TestPage {
        <# Writes a page into a fresh docs folder and returns its path. #>
        param([string] $Text = $SamplePage, [string] $Name = 'Get-Widget', [string] $Folder)
        if (-not $Folder) { $Folder = Join-Path $TestDrive ('docs-' + [guid]::NewGuid().ToString('n').Substring(0, 8)) }
        New-Item -ItemType Directory -Force -Path $Folder | Out-Null
        $path = Join-Path $Folder "$Name.md"
        [IO.File]::WriteAllText($path, $Text)
        $path
    }

    function Read-Maml {
        param([string] $Path)
        $xml = [xml]::new()
        $xml.Load($Path)
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('msh', 'http://msh')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        [pscustomobject]@{ Xml = $xml; Ns = $ns }
    }
}

Describe 'ConvertFrom-HelpMarkdown' {
    BeforeAll { $page = ConvertFrom-HelpMarkdown (New-TestPage) }

    It 'reads the name, synopsis, notes and links' {
        $page.Name | Should -Be 'Get-Widget'
        $page.Verb | Should -Be 'Get'
        $page.Noun | Should -Be 'Widget'
        $page.Synopsis | Should -Be 'Gets widgets & their <parts>.'
        $page.Notes | Should -Be @('ErrorIds: `WidgetNotFound`.')
        $page.Links[0].Text | Should -Be 'Get-KuduSession'
        $page.Links[0].Uri | Should -Be '' -Because 'a sibling page is shown by name, as platyPS does'
        $page.Links[1].Uri | Should -Be 'https://example.com/widgets?a=1&b=2'
    }

    It 'turns prose into paragraphs: wrapped lines joined, list items and code blocks kept line by line' {
        $page.Description | Should -HaveCount 3
        $page.Description[0] | Should -Be 'The first paragraph is wrapped over two lines.'
        $page.Description[1] | Should -Be "A list follows:`n- one item`n- another `"quoted`" item"
        $page.Description[2] | Should -Be "sample output`n  indented"
    }

    It 'reads examples: the code verbatim, "# lines" in code included, then the remarks' {
        $page.Examples | Should -HaveCount 2
        $page.Examples[0].Title | Should -Be 'Get all widgets'
        $page.Examples[0].Code | Should -Be "# not a heading`nGet-Widget | Where-Object { `$_.Size -lt 3 -and `$_.Name -ne `"<none>`" }"
        $page.Examples[0].Remarks | Should -Be @('Gets every widget smaller than 3.', 'Then filters.')
        $page.Examples[1].Number | Should -Be 2
    }

    It 'reads the parameters in page order with their yaml' {
        $page.Parameters.Name | Should -Be @('Name', 'Id', 'Label', 'Session', 'Shade', 'Force')
        $name = $page.Parameters[0]
        $name.Description | Should -Be @('Names <a & "b">; wildcards allowed.')
        $name.Blocks[0].Type | Should -Be 'String[]'
        $name.Blocks[0].Aliases | Should -Be @('WidgetName')
        $name.Blocks[0].Position | Should -Be '0'
        $name.Blocks[0].Globbing | Should -BeTrue
        $page.Parameters[3].Blocks[0].PipelineInput | Should -Be 'True (ByValue, ByPropertyName)'
        $page.Parameters[4].Blocks[0].AcceptedValues | Should -Be @('Light', 'Dark')
        $page.Parameters[5].Blocks[0].Aliases | Should -HaveCount 0
    }

    It 'keeps one yaml block per group of parameter sets' {
        $label = $page.Parameters | Where-Object Name -eq 'Label'
        $label.Blocks | Should -HaveCount 2
        ($label.Blocks | Where-Object { $_.ParameterSets -contains 'Id' }).Required | Should -BeTrue
        ($label.Blocks | Where-Object { $_.ParameterSets -contains 'Name' }).Required | Should -BeFalse
    }

    It 'reads the parameter sets, the default one, and the input and output types' {
        $page.Syntax.ParameterSet | Should -Be @('Name', 'Id')
        $page.Syntax[0].IsDefault | Should -BeTrue
        $page.Syntax[1].IsDefault | Should -BeFalse
        $page.Inputs[0].Type | Should -Be 'KuduDiagnostics.KuduSession'
        $page.Inputs[0].Description | Should -Be @('Sessions bind to -Session.')
        $page.Outputs[0].Type | Should -Be 'None'
        $page.Outputs[0].Description | Should -HaveCount 0
    }

    It 'takes one syntax heading, __AllParameterSets, for a cmdlet without parameter sets' {
        $text = $SamplePage
        $syntaxStart = $text.IndexOf('### Name (Default)')
        $text = $text.Substring(0, $syntaxStart) + (@(
                '### __AllParameterSets'
                '```'
                'Get-Widget [[-Name] <String[]>] -Id <Int32[]> -Label <String> [-Session <KuduSession>] [-Shade <String>] [-Force] [<CommonParameters>]'
                '```'
                ''
                ''
            ) -join "`n") + $text.Substring($text.IndexOf('## DESCRIPTION'))
        # -Label's second yaml block (for the Name set) goes: with one set, one block per parameter.
        $secondLabelBlock = @('```yaml', 'Type: String', 'Parameter Sets: Name', 'Aliases:', '', 'Required: False', 'Position: Named',
            'Default value: None', 'Accept pipeline input: False', 'Accept wildcard characters: False', '```', '', '') -join "`n"
        $text.Contains($secondLabelBlock) | Should -BeTrue
        $text = $text.Replace($secondLabelBlock, '')
        $text = $text.Replace('Parameter Sets: Name', 'Parameter Sets: (All)').Replace('Parameter Sets: Id', 'Parameter Sets: (All)')

        $single = ConvertFrom-HelpMarkdown (New-TestPage $text)

        $single.Syntax | Should -HaveCount 1
        $single.Syntax[0].ParameterSet | Should -Be '__AllParameterSets'
        $single.Syntax[0].IsDefault | Should -BeTrue
        ($single.Parameters | Where-Object Name -eq 'Label').Blocks | Should -HaveCount 1
    }

    # From/To/Find are single-quoted with \n for a line break (no backtick escaping of ``` fences);
    # Find is the start of the line the error must name (plus Offset lines); Message is literal, * aside.
    It 'rejects <Case> with the file and line' -ForEach @(
        @{ Case = 'a title that is not the file name'; From = '# Get-Widget'; To = '# Get-Gadget'; Find = '# Get-Gadget'; Message = "must be the file's name" }
        @{ Case = 'a misspelt section'; From = '## DESCRIPTION'; To = '## Description'; Find = '## Description'; Message = "expected '## DESCRIPTION' here, found '## Description'" }
        @{ Case = 'a missing section'; From = '## NOTES\nErrorIds: `WidgetNotFound`.\n\n'; To = ''; Find = '## RELATED LINKS'; Message = "expected '## NOTES' here" }
        @{ Case = 'an example without a powershell block'; From = '### Example 2: Get one widget\n```powershell'; To = '### Example 2: Get one widget\n```'; Find = '### Example 2:'; Message = 'Example 2 starts with a ```powershell block' }
        @{ Case = 'examples numbered out of order'; From = '### Example 2:'; To = '### Example 3:'; Find = '### Example 3:'; Message = "expected '### Example 2: <title>'" }
        @{ Case = 'an example without explanation'; From = 'Gets widget 7 & its label.'; To = ''; Find = '### Example 2:'; Message = 'Example 2 needs text after the code' }
        @{ Case = 'an unknown yaml key'; From = 'Accept wildcard characters: True'; To = 'Wildcards: True'; Find = 'Wildcards: True'; Message = "unknown key 'Wildcards'" }
        @{ Case = 'a bad Required value'; From = 'Type: Int32[]\nParameter Sets: Id\nAliases:\n\nRequired: True'; To = 'Type: Int32[]\nParameter Sets: Id\nAliases:\n\nRequired: yes'; Find = 'Required: yes'; Message = "'yes' is not a valid value for 'Required'" }
        @{ Case = 'a yaml block that lacks a key'; From = 'Position: 0\nDefault value: None\n'; To = 'Position: 0\n'; Find = '```yaml'; Message = "the yaml block lacks 'Default value:'" }
        @{ Case = 'a parameter set that is not under SYNTAX'; From = 'Type: Int32[]\nParameter Sets: Id'; To = 'Type: Int32[]\nParameter Sets: ById'; Find = 'Parameter Sets: ById'; Message = "parameter set 'ById' of -Id is not under ## SYNTAX (Name, Id)" }
        @{ Case = 'a syntax line that does not match the yaml'; From = 'Get-Widget -Id <Int32[]> -Label <String> [-Session'; To = 'Get-Widget -Id <Int32[]> [-Session'; Find = '### Id'; Offset = 1; Message = 'the syntax of Id does not match*It should read:*Get-Widget -Id <Int32[]> -Label <String> [-Session <KuduSession>]' }
        @{ Case = 'two default parameter sets'; From = '### Id'; To = '### Id (Default)'; Find = '### Id (Default)'; Offset = 1; Message = 'only one parameter set is the default' }
        @{ Case = 'a parameter without a description'; From = '### -Force\nForces it.\n'; To = '### -Force\n'; Find = '### -Force'; Message = '-Force needs a description' }
        @{ Case = 'a missing CommonParameters entry'; From = '### CommonParameters\nThis cmdlet supports the common parameters.\n\n'; To = ''; Find = '## PARAMETERS'; Message = "PARAMETERS ends with '### CommonParameters'" }
        @{ Case = 'a related link that is not a link'; From = '- [Get-KuduSession](Get-KuduSession.md)'; To = 'See Get-KuduSession.'; Find = 'See Get-KuduSession.'; Message = "RELATED LINKS holds '- [Text](uri)' lines only" }
        @{ Case = 'an unclosed code block'; From = '- [Widgets](https://example.com/widgets?a=1&b=2)'; To = '- [Widgets](https://example.com/widgets?a=1&b=2)\n```text\nleft open'; Find = '```text'; Message = 'code block is never closed' }
    ) {
        $from = $From.Replace('\n', "`n")
        $SamplePage.Contains($from) | Should -BeTrue -Because 'the case must change the sample'
        $lines = $SamplePage.Replace($from, $To.Replace('\n', "`n")) -split "`n"
        $line = 0
        for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i].StartsWith($Find)) { $line = $i + 1; break } }
        if ($_.ContainsKey('Offset')) { $line += $Offset }
        $path = New-TestPage ($lines -join "`n")
        $pattern = (("${path}:${line}: *$Message*" -split '\*') | ForEach-Object { [WildcardPattern]::Escape($_) }) -join '*'

        { ConvertFrom-HelpMarkdown $path } | Should -Throw -ExpectedMessage $pattern
    }
}

Describe 'ConvertTo-MamlHelp' {
    BeforeAll {
        $docs = Split-Path -Parent (New-TestPage)
        # Markdown that is not a cmdlet page must be skipped, not rejected.
        Set-Content -Path (Join-Path $docs 'README-help.md') -Value "# How to write help`nAnything goes."
        Set-Content -Path (Join-Path $docs 'design.md') -Value 'no structure at all'
        $out = Join-Path $TestDrive 'maml/en-US/KuduDiagnostics.dll-Help.xml'
        $file = ConvertTo-MamlHelp -DocsPath $docs -OutputPath $out
        $maml = Read-Maml $file.FullName
        $x = $maml.Ns
        $command = $maml.Xml.SelectSingleNode('/msh:helpItems/command:command', $x)
    }

    It 'writes a well-formed MAML file with one command per cmdlet page' {
        $file.FullName | Should -Be $out
        $maml.Xml.DocumentElement.LocalName | Should -Be 'helpItems'
        $maml.Xml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $maml.Xml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
        $maml.Xml.SelectNodes('/msh:helpItems/command:command', $x).Count | Should -Be 1
        $command.SelectSingleNode('command:details/command:name', $x).InnerText | Should -Be 'Get-Widget'
        $command.SelectSingleNode('command:details/command:verb', $x).InnerText | Should -Be 'Get'
        $command.SelectSingleNode('command:details/command:noun', $x).InnerText | Should -Be 'Widget'
    }

    It 'escapes markup characters, which read back unchanged' {
        $raw = Get-Content -Raw $file.FullName
        $raw | Should -Match ([regex]::Escape('Gets widgets &amp; their &lt;parts&gt;.'))
        $command.SelectSingleNode('command:details/maml:description/maml:para', $x).InnerText | Should -Be 'Gets widgets & their <parts>.'
        $command.SelectSingleNode('command:parameters/command:parameter[maml:name="Name"]/maml:description/maml:para', $x).InnerText | Should -Be 'Names <a & "b">; wildcards allowed.'
        $command.SelectSingleNode('command:examples/command:example/dev:code', $x).InnerText | Should -BeLike '*-ne "<none>" }'
        $command.SelectSingleNode('command:relatedLinks/maml:navigationLink[2]/maml:uri', $x).InnerText | Should -Be 'https://example.com/widgets?a=1&b=2'
    }

    It 'keeps paragraphs apart' {
        $paras = $command.SelectNodes('maml:description/maml:para', $x)
        $paras.Count | Should -Be 3
        $paras[1].InnerText | Should -Be "A list follows:`n- one item`n- another `"quoted`" item"
    }

    It 'writes one syntax item per parameter set, the default first, with that set''s parameters in syntax order' {
        $items = $command.SelectNodes('command:syntax/command:syntaxItem', $x)
        $items.Count | Should -Be 2
        @($items[0].SelectNodes('command:parameter/maml:name', $x) | ForEach-Object InnerText) | Should -Be @('Name', 'Label', 'Session', 'Shade', 'Force')
        @($items[1].SelectNodes('command:parameter/maml:name', $x) | ForEach-Object InnerText) | Should -Be @('Id', 'Label', 'Session', 'Shade', 'Force')
        $items[0].SelectSingleNode('command:parameter[maml:name="Label"]', $x).GetAttribute('required') | Should -Be 'false'
        $items[1].SelectSingleNode('command:parameter[maml:name="Label"]', $x).GetAttribute('required') | Should -Be 'true'
    }

    It 'writes the parameter attributes Get-Help shows' {
        $name = $command.SelectSingleNode('command:parameters/command:parameter[maml:name="Name"]', $x)
        $name.GetAttribute('required') | Should -Be 'false'
        $name.GetAttribute('position') | Should -Be '0'
        $name.GetAttribute('globbing') | Should -Be 'true'
        $name.GetAttribute('pipelineInput') | Should -Be 'False'
        $name.GetAttribute('aliases') | Should -Be 'WidgetName'
        $name.GetAttribute('variableLength') | Should -Be 'true'
        $name.SelectSingleNode('dev:type/maml:name', $x).InnerText | Should -Be 'String[]'
        $name.SelectSingleNode('command:parameterValue', $x).InnerText | Should -Be 'String[]'
        $name.SelectSingleNode('dev:defaultValue', $x).InnerText | Should -Be 'None'

        $session = $command.SelectSingleNode('command:parameters/command:parameter[maml:name="Session"]', $x)
        $session.GetAttribute('pipelineInput') | Should -Be 'True (ByValue, ByPropertyName)'
        $session.GetAttribute('position') | Should -Be 'named'
        $session.GetAttribute('aliases') | Should -Be 'none'

        $force = $command.SelectSingleNode('command:parameters/command:parameter[maml:name="Force"]', $x)
        $force.SelectSingleNode('command:parameterValue', $x) | Should -BeNullOrEmpty -Because 'a switch takes no value'

        $shade = $command.SelectSingleNode('command:parameters/command:parameter[maml:name="Shade"]', $x)
        @($shade.SelectNodes('command:parameterValueGroup/command:parameterValue', $x) | ForEach-Object InnerText) | Should -Be @('Light', 'Dark')
        $command.SelectNodes('command:parameters/command:parameter', $x).Count | Should -Be 6
    }

    It 'writes examples, input and output types, notes and related links' {
        $examples = $command.SelectNodes('command:examples/command:example', $x)
        $examples.Count | Should -Be 2
        $examples[0].SelectSingleNode('maml:title', $x).InnerText | Should -Be '-------------------------- Example 1: Get all widgets --------------------------'
        $examples[0].SelectSingleNode('dev:code', $x).InnerText | Should -BeLike "# not a heading`nGet-Widget |*"
        @($examples[0].SelectNodes('dev:remarks/maml:para', $x) | ForEach-Object InnerText) | Should -Be @('Gets every widget smaller than 3.', 'Then filters.')
        $command.SelectSingleNode('command:inputTypes/command:inputType/dev:type/maml:name', $x).InnerText | Should -Be 'KuduDiagnostics.KuduSession'
        $command.SelectSingleNode('command:returnValues/command:returnValue/dev:type/maml:name', $x).InnerText | Should -Be 'None'
        $command.SelectSingleNode('maml:alertSet/maml:alert/maml:para', $x).InnerText | Should -Be 'ErrorIds: `WidgetNotFound`.'
        @($command.SelectNodes('command:relatedLinks/maml:navigationLink/maml:linkText', $x) | ForEach-Object InnerText) | Should -Be @('Get-KuduSession', 'Widgets')
        $command.SelectSingleNode('command:relatedLinks/maml:navigationLink[1]/maml:uri', $x).InnerText | Should -Be ''
    }

    It 'names the file after the module when given a folder' {
        $folder = Join-Path $TestDrive 'by-folder'
        $written = ConvertTo-MamlHelp -DocsPath $docs -OutputPath $folder -ModuleName Contoso.Tools
        $written.FullName | Should -Be (Join-Path $folder 'Contoso.Tools.dll-Help.xml')
    }

    It 'writes nothing when one page is broken, and names the page' {
        $broken = Split-Path -Parent (New-TestPage)
        New-TestPage ($SamplePage.Replace('# Get-Widget', '# Set-Widget').Replace('Get-Widget [', 'Set-Widget [').Replace('Get-Widget -Id <', 'Set-Widget -Id <').Replace('## NOTES', '## NOTE')) -Name Set-Widget -Folder $broken | Out-Null
        $target = Join-Path $TestDrive 'broken/KuduDiagnostics.dll-Help.xml'

        { ConvertTo-MamlHelp -DocsPath $broken -OutputPath $target } | Should -Throw -ExpectedMessage '*Set-Widget.md:*: expected ''## NOTES''*'
        Test-Path $target | Should -BeFalse
    }

    It 'refuses a folder without cmdlet pages' {
        $empty = Join-Path $TestDrive 'no-pages'
        New-Item -ItemType Directory -Path $empty | Out-Null
        Set-Content -Path (Join-Path $empty 'notes.md') -Value '# notes'
        { ConvertTo-MamlHelp -DocsPath $empty -OutputPath (Join-Path $TestDrive 'none.xml') } | Should -Throw -ExpectedMessage '*No cmdlet pages*'
    }

    It 'converts every page of the repository''s docs folder' {
        $pages = @(Get-HelpMarkdownFile -DocsPath (Join-Path $RepoRoot 'docs'))
        $pages.Count | Should -BeGreaterThan 0
        $pages.Name | Should -Not -Contain 'README-help.md'
        $written = ConvertTo-MamlHelp -DocsPath (Join-Path $RepoRoot 'docs') -OutputPath (Join-Path $TestDrive 'repo')
        $repoMaml = Read-Maml $written.FullName
        @($repoMaml.Xml.SelectNodes('/msh:helpItems/command:command/command:details/command:name', $repoMaml.Ns) | ForEach-Object InnerText) |
            Should -Be @($pages.BaseName)
    }
}
