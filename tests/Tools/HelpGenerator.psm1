# Turns the cmdlet pages in docs/ into the MAML file Get-Help reads for a binary module
# (<Module>.dll-Help.xml). There is no PowerShell Gallery here, so no platyPS: this reads a small, strict,
# platyPS-like markdown format, described in docs/README-help.md. A page that breaks the format stops the
# build with "<file>:<line>: <what is wrong>", because silently dropping a section ships wrong help.
# Runs in Windows PowerShell 5.1 and PowerShell 7.

Set-StrictMode -Version 3.0

$script:Ns = @{
    Msh     = 'http://msh'
    Maml    = 'http://schemas.microsoft.com/maml/2004/10'
    Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    Dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

$script:Sections = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'
$script:YamlKeys = 'Type', 'Parameter Sets', 'Aliases', 'Accepted values', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters'
$script:PipelineValues = 'False', 'True (ByValue)', 'True (ByPropertyName)', 'True (ByValue, ByPropertyName)'

function Stop-HelpPage {
    param([string] $Source, [int] $Line, [string] $Message)
    throw [System.FormatException]::new("${Source}:${Line}: $Message")
}

function Get-HelpMarkdownFile {
    <#
    .SYNOPSIS
        The cmdlet pages of a docs folder: files named <approved verb>-<noun>.md. Other markdown there
        (design notes, README-help.md) is not help and is skipped, so new pages need no registration.
    #>
    [OutputType([System.IO.FileInfo])]
    param([Parameter(Mandatory)] [string] $DocsPath)
    $verbs = @(Get-Verb | ForEach-Object Verb)
    Get-ChildItem -LiteralPath $DocsPath -Filter '*.md' -File |
        Where-Object { $_.BaseName -match '^([A-Za-z]+)-[A-Za-z0-9]+$' -and $verbs -contains $Matches[1] } |
        Sort-Object Name
}

# --- Reading markdown -----------------------------------------------------------------------------------------

function Get-MarkdownToken {
    # Lines become Heading, Fence (a whole ``` block), Text and Blank tokens, each with its line number.
    # Fences are cut out first so that "# comment" lines inside code are never taken for headings.
    param([string[]] $Lines, [string] $Source)
    $tokens = [System.Collections.Generic.List[object]]::new()
    $i = 0
    while ($i -lt $Lines.Count) {
        $text = $Lines[$i].TrimEnd()
        $number = $i + 1
        if ($text -match '^```\s*([A-Za-z0-9_+-]*)$') {
            $lang = $Matches[1]
            $body = [System.Collections.Generic.List[string]]::new()
            $i++
            while ($i -lt $Lines.Count -and $Lines[$i].TrimEnd() -ne '```') {
                $body.Add($Lines[$i].TrimEnd())
                $i++
            }
            if ($i -ge $Lines.Count) { Stop-HelpPage $Source $number 'this ``` code block is never closed.' }
            $tokens.Add([pscustomobject]@{ Kind = 'Fence'; Line = $number; Lang = $lang; Body = $body.ToArray(); Text = $text; Level = 0 })
        }
        elseif ($text -match '^(#+)\s+(.+)$') {
            $tokens.Add([pscustomobject]@{ Kind = 'Heading'; Line = $number; Level = $Matches[1].Length; Text = $Matches[2].Trim(); Lang = $null; Body = $null })
        }
        elseif ($text -match '^#') {
            Stop-HelpPage $Source $number "'$text' is not a heading: put a space after the #."
        }
        elseif ($text.Trim() -eq '') {
            $tokens.Add([pscustomobject]@{ Kind = 'Blank'; Line = $number; Text = ''; Level = 0; Lang = $null; Body = $null })
        }
        else {
            $tokens.Add([pscustomobject]@{ Kind = 'Text'; Line = $number; Text = $text; Level = 0; Lang = $null; Body = $null })
        }
        $i++
    }
    $tokens.ToArray()
}

function Split-HeadingGroup {
    # Splits tokens at headings of one level: what comes before the first heading, and one group per heading.
    param([object[]] $Tokens, [int] $Level)
    $lead = [System.Collections.Generic.List[object]]::new()
    $groups = [System.Collections.Generic.List[object]]::new()
    $current = $null
    foreach ($t in $Tokens) {
        if ($t.Kind -eq 'Heading' -and $t.Level -eq $Level) {
            $current = [pscustomobject]@{ Title = $t.Text; Line = $t.Line; Tokens = [System.Collections.Generic.List[object]]::new() }
            $groups.Add($current)
        }
        elseif ($null -eq $current) { $lead.Add($t) }
        else { $current.Tokens.Add($t) }
    }
    [pscustomobject]@{ Lead = $lead.ToArray(); Groups = $groups.ToArray() }
}

function Assert-NoContent {
    param([object[]] $Tokens, [string] $Source, [string] $Where)
    foreach ($t in $Tokens) {
        if ($t.Kind -ne 'Blank') { Stop-HelpPage $Source $t.Line "unexpected content $Where`: '$($t.Text)'." }
    }
}

function ConvertTo-Paragraph {
    # Markdown prose to MAML paragraphs: a blank line ends a paragraph; soft-wrapped lines are joined with a space
    # (Get-Help wraps text itself); list items and table rows keep their own lines; a ``` block is one verbatim
    # paragraph. Inline markdown (`code`) is kept as it is, as PowerShell's own help does.
    param([object[]] $Tokens, [string] $Source, [string] $Where)
    $paras = [System.Collections.Generic.List[string]]::new()
    $lines = [System.Collections.Generic.List[string]]::new()
    foreach ($t in $Tokens) {
        switch ($t.Kind) {
            'Heading' { Stop-HelpPage $Source $t.Line "unexpected heading '$($t.Text)' $Where." }
            'Blank' {
                if ($lines.Count) { $paras.Add($lines -join "`n"); $lines.Clear() }
            }
            'Fence' {
                if ($lines.Count) { $paras.Add($lines -join "`n"); $lines.Clear() }
                $paras.Add($t.Body -join "`n")
            }
            'Text' {
                if ($lines.Count -eq 0 -or $t.Text -match '^\s*([-*+]|\d+[.)])\s|^\s*\|') { $lines.Add($t.Text) }
                else { $lines[$lines.Count - 1] = $lines[$lines.Count - 1] + ' ' + $t.Text.Trim() }
            }
        }
    }
    if ($lines.Count) { $paras.Add($lines -join "`n") }
    $paras.ToArray()   # unrolled: callers collect with @(), which would otherwise nest the array
}

function Read-ParameterYaml {
    # One ```yaml block of a parameter: "Key: value" lines, the platyPS keys, each once, values checked.
    param([object] $Fence, [string] $Source)
    $values = @{}
    for ($i = 0; $i -lt $Fence.Body.Count; $i++) {
        $line = $Fence.Line + 1 + $i
        $text = $Fence.Body[$i]
        if ($text.Trim() -eq '') { continue }
        if ($text -notmatch '^([A-Za-z][A-Za-z ]*):\s*(.*)$') { Stop-HelpPage $Source $line "'$text' is not a 'Key: value' line." }
        $key = $Matches[1]
        $value = $Matches[2].Trim()
        if ($script:YamlKeys -cnotcontains $key) { Stop-HelpPage $Source $line "unknown key '$key'; the keys are: $($script:YamlKeys -join ', ')." }
        if ($values.ContainsKey($key)) { Stop-HelpPage $Source $line "'$key' is given twice." }
        $check = switch -CaseSensitive ($key) {
            'Type' { $value -match '^[A-Za-z_][A-Za-z0-9_.]*(\[\])?$' }
            'Parameter Sets' { $value -match '^(\(All\)|[A-Za-z0-9_]+(\s*,\s*[A-Za-z0-9_]+)*)$' }
            'Aliases' { $value -match '^([A-Za-z0-9_]+(\s*,\s*[A-Za-z0-9_]+)*)?$' }
            'Accepted values' { $value -match '^[^,]+(,[^,]+)*$' }
            'Required' { $value -cmatch '^(True|False)$' }
            'Position' { $value -cmatch '^(Named|\d+)$' }
            'Accept pipeline input' { $script:PipelineValues -ccontains $value }
            'Accept wildcard characters' { $value -cmatch '^(True|False)$' }
            default { $true }
        }
        if (-not $check) { Stop-HelpPage $Source $line "'$value' is not a valid value for '$key' (see docs/README-help.md)." }
        $values[$key] = [pscustomobject]@{ Value = $value; Line = $line }
    }
    foreach ($key in $script:YamlKeys) {
        if ($key -ne 'Accepted values' -and -not $values.ContainsKey($key)) { Stop-HelpPage $Source $Fence.Line "the yaml block lacks '${key}:'." }
    }
    # @() around each call: a scriptblock's empty or one-item array comes back as $null or a scalar.
    $split = { param($v) $v -split '\s*,\s*' | Where-Object { $_ -ne '' } }
    [pscustomobject]@{
        Line           = $Fence.Line
        SetsLine       = $values['Parameter Sets'].Line
        Type           = $values['Type'].Value
        ParameterSets  = @(& $split $values['Parameter Sets'].Value)
        Aliases        = @(& $split $values['Aliases'].Value)
        AcceptedValues = @(if ($values.ContainsKey('Accepted values')) { & $split $values['Accepted values'].Value })
        Required       = $values['Required'].Value -eq 'True'
        Position       = $values['Position'].Value
        DefaultValue   = $values['Default value'].Value
        PipelineInput  = $values['Accept pipeline input'].Value
        Globbing       = $values['Accept wildcard characters'].Value -eq 'True'
    }
}

function Get-SetParameter {
    # The parameters of one parameter set, each with the yaml block that applies there, in syntax order:
    # positional ones by position, then the others in page order (as PowerShell prints syntax).
    param([object] $Page, [string] $SetName)
    $inSet = @(foreach ($p in $Page.Parameters) {
            $block = @($p.Blocks | Where-Object { $_.ParameterSets -contains '(All)' -or $_.ParameterSets -contains $SetName }) | Select-Object -First 1
            if ($block) { [pscustomobject]@{ Parameter = $p; Block = $block } }
        })
    @($inSet | Where-Object { $_.Block.Position -ne 'Named' } | Sort-Object { [int] $_.Block.Position }) +
    @($inSet | Where-Object { $_.Block.Position -eq 'Named' })
}

function Format-SyntaxLine {
    param([object] $Page, [string] $SetName)
    $parts = foreach ($entry in (Get-SetParameter $Page $SetName)) {
        $b = $entry.Block
        $name = if ($b.Position -ne 'Named') { "[-$($entry.Parameter.Name)]" } else { "-$($entry.Parameter.Name)" }
        $value = if ($b.Type -eq 'SwitchParameter') { '' } else { " <$($b.Type)>" }
        if ($b.Required) { "$name$value" } else { "[$name$value]" }
    }
    # An empty foreach gives $null, and @($null) has one element: build the list explicitly.
    $words = [System.Collections.Generic.List[string]]::new()
    $words.Add($Page.Name)
    foreach ($p in @($parts)) { if ($p) { $words.Add($p) } }
    $words.Add('[<CommonParameters>]')
    $words -join ' '
}

function ConvertFrom-HelpMarkdown {
    <#
    .SYNOPSIS
        Reads one cmdlet page into an object (Name, Synopsis, Syntax, Description, Examples, Parameters, Inputs,
        Outputs, Notes, Links), or throws "<file>:<line>: <problem>" when the page breaks the format.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipelineByPropertyName)] [Alias('FullName')] [string] $Path)
    process {
        $source = (Resolve-Path -LiteralPath $Path).ProviderPath
        $tokens = @(Get-MarkdownToken -Lines ([System.IO.File]::ReadAllLines($source)) -Source $source)

        # "# Name" first, and it must be the file's name: Get-Help finds help by command name.
        $top = Split-HeadingGroup $tokens 1
        Assert-NoContent $top.Lead $source 'before the "# <Cmdlet name>" title'
        if ($top.Groups.Count -eq 0) { Stop-HelpPage $source 1 'the page has no "# <Cmdlet name>" title.' }
        if ($top.Groups.Count -gt 1) { Stop-HelpPage $source $top.Groups[1].Line 'a page has exactly one "# " title.' }
        $name = $top.Groups[0].Title
        $baseName = [System.IO.Path]::GetFileNameWithoutExtension($source)
        if ($name -cne $baseName) { Stop-HelpPage $source $top.Groups[0].Line "the title '$name' must be the file's name, '$baseName'." }

        # The "## " sections: all of them, in this order, nothing else.
        $h2 = Split-HeadingGroup $top.Groups[0].Tokens 2
        Assert-NoContent $h2.Lead $source 'between the title and "## SYNOPSIS"'
        $section = @{}
        for ($i = 0; $i -lt $script:Sections.Count; $i++) {
            $expected = $script:Sections[$i]
            if ($i -ge $h2.Groups.Count) {
                $last = if ($tokens.Count) { $tokens[$tokens.Count - 1].Line } else { 1 }
                Stop-HelpPage $source $last "the page ends before '## $expected'."
            }
            $g = $h2.Groups[$i]
            if ($g.Title -cne $expected) { Stop-HelpPage $source $g.Line "expected '## $expected' here, found '## $($g.Title)' (sections: $($script:Sections -join ', '))." }
            $section[$expected] = $g
        }
        if ($h2.Groups.Count -gt $script:Sections.Count) {
            $extra = $h2.Groups[$script:Sections.Count]
            Stop-HelpPage $source $extra.Line "unexpected section '## $($extra.Title)' after '## RELATED LINKS'."
        }

        $synopsis = @(ConvertTo-Paragraph $section['SYNOPSIS'].Tokens $source 'in SYNOPSIS')
        if ($synopsis.Count -ne 1) { Stop-HelpPage $source $section['SYNOPSIS'].Line 'SYNOPSIS is one paragraph.' }

        $description = @(ConvertTo-Paragraph $section['DESCRIPTION'].Tokens $source 'in DESCRIPTION')
        if ($description.Count -eq 0) { Stop-HelpPage $source $section['DESCRIPTION'].Line 'DESCRIPTION is empty.' }

        # SYNTAX: one "### <ParameterSet>" per set, "(Default)" on the default one, each with its syntax line.
        $h3 = Split-HeadingGroup $section['SYNTAX'].Tokens 3
        Assert-NoContent $h3.Lead $source 'in SYNTAX before the first "### <ParameterSet>"'
        if ($h3.Groups.Count -eq 0) { Stop-HelpPage $source $section['SYNTAX'].Line 'SYNTAX needs a "### <ParameterSet>" (or "### __AllParameterSets") with the syntax line.' }
        $syntax = @(foreach ($g in $h3.Groups) {
                if ($g.Title -notmatch '^([A-Za-z0-9_]+)( \(Default\))?$') { Stop-HelpPage $source $g.Line "'### $($g.Title)' is not '### <ParameterSet>' or '### <ParameterSet> (Default)'." }
                $set = $Matches[1]
                $isDefault = [bool] $Matches[2]
                $fences = @($g.Tokens | Where-Object Kind -eq 'Fence')
                Assert-NoContent @($g.Tokens | Where-Object Kind -ne 'Fence') $source "in the syntax of $set (only a ``````` block)"
                if ($fences.Count -ne 1) { Stop-HelpPage $source $g.Line "the syntax of $set is one ``````` block." }
                [pscustomobject]@{ ParameterSet = $set; IsDefault = $isDefault; Text = ($fences[0].Body -join ' ').Trim(); Line = $fences[0].Line }
            })
        $setNames = @($syntax.ParameterSet)
        $dupSet = $setNames | Group-Object | Where-Object Count -gt 1 | Select-Object -First 1
        if ($dupSet) { Stop-HelpPage $source $section['SYNTAX'].Line "parameter set '$($dupSet.Name)' is listed twice." }
        $defaults = @($syntax | Where-Object IsDefault)
        if ($defaults.Count -gt 1) { Stop-HelpPage $source $defaults[1].Line 'only one parameter set is the default.' }
        if ($syntax.Count -gt 1 -and $defaults.Count -eq 0) { Stop-HelpPage $source $section['SYNTAX'].Line 'mark the default parameter set: "### <ParameterSet> (Default)".' }
        if ($defaults.Count -eq 0) { $syntax[0].IsDefault = $true }

        # EXAMPLES: "### Example N: Title", a ```powershell block, then the explanation.
        $h3 = Split-HeadingGroup $section['EXAMPLES'].Tokens 3
        Assert-NoContent $h3.Lead $source 'in EXAMPLES before "### Example 1: <title>"'
        if ($h3.Groups.Count -eq 0) { Stop-HelpPage $source $section['EXAMPLES'].Line 'EXAMPLES needs at least one "### Example 1: <title>".' }
        $number = 0
        $examples = @(foreach ($g in $h3.Groups) {
            $number++
            if ($g.Title -notmatch '^Example (\d+): (\S.*)$' -or [int] $Matches[1] -ne $number) { Stop-HelpPage $source $g.Line "expected '### Example ${number}: <title>', found '### $($g.Title)'." }
            $title = $Matches[2]
            $body = @($g.Tokens | Where-Object Kind -ne 'Blank')
            if ($body.Count -eq 0 -or $body[0].Kind -ne 'Fence' -or $body[0].Lang -ne 'powershell') { Stop-HelpPage $source $g.Line "Example $number starts with a ``````powershell block." }
            $rest = @($g.Tokens | Where-Object { $_.Line -gt $body[0].Line })
            $remarks = @(ConvertTo-Paragraph $rest $source "in Example $number")
            if ($remarks.Count -eq 0) { Stop-HelpPage $source $g.Line "Example $number needs text after the code that says what it does." }
            [pscustomobject]@{ Number = $number; Title = $title; Code = ($body[0].Body -join "`n"); Remarks = $remarks }
            })

        # PARAMETERS: "### -Name", a description, one or more ```yaml blocks; "### CommonParameters" last.
        $h3 = Split-HeadingGroup $section['PARAMETERS'].Tokens 3
        Assert-NoContent $h3.Lead $source 'in PARAMETERS before the first "### -<Name>"'
        $parameters = [System.Collections.Generic.List[object]]::new()
        $common = $null
        foreach ($g in $h3.Groups) {
            if ($common) { Stop-HelpPage $source $g.Line "'### CommonParameters' is the last entry of PARAMETERS." }
            if ($g.Title -ceq 'CommonParameters') {
                $common = @(ConvertTo-Paragraph $g.Tokens $source 'in CommonParameters')
                if ($common.Count -eq 0) { Stop-HelpPage $source $g.Line 'CommonParameters needs its sentence about the common parameters.' }
                continue
            }
            if ($g.Title -notmatch '^-([A-Za-z][A-Za-z0-9_]*)$') { Stop-HelpPage $source $g.Line "'### $($g.Title)' is not '### -<ParameterName>' or '### CommonParameters'." }
            $pname = $Matches[1]
            if ($parameters | Where-Object Name -eq $pname) { Stop-HelpPage $source $g.Line "-$pname is documented twice." }
            $firstYaml = $g.Tokens | Where-Object { $_.Kind -eq 'Fence' -and $_.Lang -eq 'yaml' } | Select-Object -First 1
            if (-not $firstYaml) { Stop-HelpPage $source $g.Line "-$pname needs a ``````yaml block (Type, Parameter Sets, Aliases, Required, Position, ...)." }
            $text = @(ConvertTo-Paragraph @($g.Tokens | Where-Object Line -lt $firstYaml.Line) $source "in -$pname")
            if ($text.Count -eq 0) { Stop-HelpPage $source $g.Line "-$pname needs a description before its yaml block." }
            $blocks = @(foreach ($t in @($g.Tokens | Where-Object Line -ge $firstYaml.Line)) {
                    if ($t.Kind -eq 'Blank') { continue }
                    if ($t.Kind -ne 'Fence' -or $t.Lang -ne 'yaml') { Stop-HelpPage $source $t.Line "after the yaml of -$pname only more ``````yaml blocks may follow (one per group of parameter sets)." }
                    Read-ParameterYaml $t $source
                })
            $seen = @{}
            foreach ($b in $blocks) {
                if ($b.ParameterSets -contains '(All)' -and $blocks.Count -gt 1) { Stop-HelpPage $source $b.SetsLine "-$pname has several yaml blocks, so each names its sets; '(All)' is for a single block." }
                foreach ($s in $b.ParameterSets) {
                    if ($s -ne '(All)' -and $setNames -cnotcontains $s) { Stop-HelpPage $source $b.SetsLine "parameter set '$s' of -$pname is not under ## SYNTAX ($($setNames -join ', '))." }
                    if ($seen.ContainsKey($s)) { Stop-HelpPage $source $b.SetsLine "-$pname names parameter set '$s' in two yaml blocks." }
                    $seen[$s] = $true
                }
                if ($b.Type -ne $blocks[0].Type -or (@($b.Aliases) -join ',') -ne (@($blocks[0].Aliases) -join ',')) { Stop-HelpPage $source $b.Line "-$pname has one Type and one set of Aliases in all its yaml blocks." }
            }
            $parameters.Add([pscustomobject]@{ Name = $pname; Description = $text; Blocks = $blocks; Line = $g.Line })
        }
        if ($null -eq $common) { Stop-HelpPage $source $section['PARAMETERS'].Line "PARAMETERS ends with '### CommonParameters'." }

        # INPUTS and OUTPUTS: "### <Type name>" (or "### None"), each with an optional explanation.
        $typeLists = @{}
        foreach ($which in 'INPUTS', 'OUTPUTS') {
            $h3 = Split-HeadingGroup $section[$which].Tokens 3
            Assert-NoContent $h3.Lead $source "in $which before the first '### <Type>'"
            if ($h3.Groups.Count -eq 0) { Stop-HelpPage $source $section[$which].Line "$which needs a '### <Type name>' (or '### None')." }
            $typeLists[$which] = @(foreach ($g in $h3.Groups) {
                    [pscustomobject]@{ Type = $g.Title; Description = @(ConvertTo-Paragraph $g.Tokens $source "in $which $($g.Title)") }
                })
        }

        $notes = @(ConvertTo-Paragraph $section['NOTES'].Tokens $source 'in NOTES')
        if ($notes.Count -eq 0) { Stop-HelpPage $source $section['NOTES'].Line 'NOTES is empty.' }

        # RELATED LINKS: "- [Text](uri)" lines; a link to a sibling page (*.md) becomes a bare name, as in platyPS.
        $links = @(foreach ($t in $section['RELATED LINKS'].Tokens) {
                if ($t.Kind -eq 'Blank') { continue }
                if ($t.Kind -ne 'Text' -or $t.Text -notmatch '^- \[([^\]]+)\]\(([^)\s]*)\)$') { Stop-HelpPage $source $t.Line "RELATED LINKS holds '- [Text](uri)' lines only, found '$($t.Text)'." }
                $text = $Matches[1]
                $uri = $Matches[2]
                [pscustomobject]@{ Text = $text; Uri = $(if ($uri -match '^https?://') { $uri } else { '' }) }
            })
        if ($links.Count -eq 0) { Stop-HelpPage $source $section['RELATED LINKS'].Line 'RELATED LINKS is empty.' }

        $page = [pscustomobject]@{
            Name          = $name
            Verb          = $name.Split('-')[0]
            Noun          = $name.Substring($name.IndexOf('-') + 1)
            Source        = $source
            Synopsis      = $synopsis[0]
            Syntax        = $syntax
            Description   = $description
            Examples      = @($examples)
            Parameters    = $parameters.ToArray()
            Inputs        = $typeLists['INPUTS']
            Outputs       = $typeLists['OUTPUTS']
            Notes         = $notes
            Links         = $links
        }

        # The syntax lines are written for readers of the markdown; they must say what the yaml says.
        foreach ($s in $syntax) {
            $expected = Format-SyntaxLine $page $s.ParameterSet
            if (($s.Text -replace '\s+', ' ') -cne $expected) {
                Stop-HelpPage $source $s.Line "the syntax of $($s.ParameterSet) does not match the parameters' yaml blocks. It should read:`n$expected"
            }
        }
        $page
    }
}

# --- Writing MAML ---------------------------------------------------------------------------------------------

function Write-Para {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraph)
    foreach ($p in $Paragraph) { $Writer.WriteElementString('maml', 'para', $script:Ns.Maml, $p) }
}

function Write-Description {
    # maml:description with paragraphs; an empty one still gets one empty para, as Get-Help expects a para.
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraph)
    $Writer.WriteStartElement('maml', 'description', $script:Ns.Maml)
    if ($Paragraph -and $Paragraph.Count) { Write-Para $Writer $Paragraph } else { Write-Para $Writer @('') }
    $Writer.WriteEndElement()
}

function Write-MamlParameter {
    param([System.Xml.XmlWriter] $Writer, [object] $Parameter, [object] $Block)
    $w = $Writer
    $array = $Block.Type.EndsWith('[]')
    $w.WriteStartElement('command', 'parameter', $script:Ns.Command)
    $w.WriteAttributeString('required', $Block.Required.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', $array.ToString().ToLowerInvariant())
    $w.WriteAttributeString('globbing', $Block.Globbing.ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $Block.PipelineInput)
    $w.WriteAttributeString('position', $Block.Position.ToLowerInvariant())
    $w.WriteAttributeString('aliases', $(if ($Block.Aliases.Count) { $Block.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('maml', 'name', $script:Ns.Maml, $Parameter.Name)
    Write-Description $w $Parameter.Description
    if ($Block.AcceptedValues.Count) {
        # Makes Get-Help's syntax read "-DumpType {Mini | Heap | Full}".
        $w.WriteStartElement('command', 'parameterValueGroup', $script:Ns.Command)
        foreach ($v in $Block.AcceptedValues) {
            $w.WriteStartElement('command', 'parameterValue', $script:Ns.Command)
            $w.WriteAttributeString('required', 'false')
            $w.WriteAttributeString('variableLength', 'false')
            $w.WriteString($v)
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    if ($Block.Type -ne 'SwitchParameter') {
        # A switch has no value: without parameterValue Get-Help prints "[-Force]", not "[-Force <SwitchParameter>]".
        $w.WriteStartElement('command', 'parameterValue', $script:Ns.Command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', $array.ToString().ToLowerInvariant())
        $w.WriteString($Block.Type)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $script:Ns.Dev)
    $w.WriteElementString('maml', 'name', $script:Ns.Maml, $Block.Type)
    $w.WriteEndElement()
    $w.WriteElementString('dev', 'defaultValue', $script:Ns.Dev, $Block.DefaultValue)
    $w.WriteEndElement()
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter] $Writer, [object] $Page)
    $w = $Writer
    $w.WriteStartElement('command', 'command', $script:Ns.Command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $script:Ns.Maml)
    $w.WriteAttributeString('xmlns', 'command', $null, $script:Ns.Command)
    $w.WriteAttributeString('xmlns', 'dev', $null, $script:Ns.Dev)

    $w.WriteStartElement('command', 'details', $script:Ns.Command)
    $w.WriteElementString('command', 'name', $script:Ns.Command, $Page.Name)
    $w.WriteElementString('command', 'verb', $script:Ns.Command, $Page.Verb)
    $w.WriteElementString('command', 'noun', $script:Ns.Command, $Page.Noun)
    Write-Description $w @($Page.Synopsis)
    $w.WriteEndElement()

    Write-Description $w $Page.Description

    # Get-Help prints the syntax items in file order: the default set first, then as the page lists them.
    $w.WriteStartElement('command', 'syntax', $script:Ns.Command)
    foreach ($s in @(@($Page.Syntax | Where-Object IsDefault) + @($Page.Syntax | Where-Object { -not $_.IsDefault }))) {
        $w.WriteStartElement('command', 'syntaxItem', $script:Ns.Command)
        $w.WriteElementString('maml', 'name', $script:Ns.Maml, $Page.Name)
        foreach ($entry in (Get-SetParameter $Page $s.ParameterSet)) { Write-MamlParameter $w $entry.Parameter $entry.Block }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # The PARAMETERS list shows each parameter once; where its attributes differ by set, the first block is shown.
    $w.WriteStartElement('command', 'parameters', $script:Ns.Command)
    foreach ($p in $Page.Parameters) { Write-MamlParameter $w $p $p.Blocks[0] }
    $w.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Page.Inputs), @('returnValues', 'returnValue', $Page.Outputs))) {
        $w.WriteStartElement('command', $kind[0], $script:Ns.Command)
        foreach ($t in $kind[2]) {
            $w.WriteStartElement('command', $kind[1], $script:Ns.Command)
            $w.WriteStartElement('dev', 'type', $script:Ns.Dev)
            $w.WriteElementString('maml', 'name', $script:Ns.Maml, $t.Type)
            $w.WriteEndElement()
            Write-Description $w $t.Description
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('maml', 'alertSet', $script:Ns.Maml)
    $w.WriteStartElement('maml', 'alert', $script:Ns.Maml)
    Write-Para $w $Page.Notes
    $w.WriteEndElement()
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $script:Ns.Command)
    foreach ($e in $Page.Examples) {
        $w.WriteStartElement('command', 'example', $script:Ns.Command)
        # Dashes as in PowerShell's own help: Get-Help prints examples back to back, the rule separates them.
        $w.WriteElementString('maml', 'title', $script:Ns.Maml, "-------------------------- Example $($e.Number): $($e.Title) --------------------------")
        $w.WriteElementString('dev', 'code', $script:Ns.Dev, $e.Code)
        $w.WriteStartElement('dev', 'remarks', $script:Ns.Dev)
        Write-Para $w $e.Remarks
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $script:Ns.Command)
    foreach ($l in $Page.Links) {
        $w.WriteStartElement('maml', 'navigationLink', $script:Ns.Maml)
        $w.WriteElementString('maml', 'linkText', $script:Ns.Maml, $l.Text)
        $w.WriteElementString('maml', 'uri', $script:Ns.Maml, $l.Uri)
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteEndElement()
}

function ConvertTo-MamlHelp {
    <#
    .SYNOPSIS
        Writes the MAML help file of a binary module from its markdown cmdlet pages.
    .PARAMETER DocsPath
        The folder of cmdlet pages (<Verb>-<Noun>.md); other markdown files there are skipped.
    .PARAMETER OutputPath
        The .xml file to write, or a folder to write <ModuleName>.dll-Help.xml into. Folders are created.
    .PARAMETER ModuleName
        The module (and its root assembly's name without .dll): names the file when OutputPath is a folder.
    .EXAMPLE
        ConvertTo-MamlHelp -DocsPath ./docs -OutputPath ./out/KuduDiagnostics/en-US
    #>
    [CmdletBinding()]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory)] [string] $DocsPath,
        [Parameter(Mandatory)] [string] $OutputPath,
        [ValidatePattern('^[A-Za-z0-9_.-]+$')] [string] $ModuleName = 'KuduDiagnostics'
    )
    $docs = (Resolve-Path -LiteralPath $DocsPath -ErrorAction Stop).ProviderPath
    $target = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($OutputPath)
    if ($target -notlike '*.xml') { $target = Join-Path $target "$ModuleName.dll-Help.xml" }

    # Every page is read before anything is written: a broken page leaves no half-written help behind.
    $pages = @(Get-HelpMarkdownFile -DocsPath $docs | ConvertFrom-HelpMarkdown)
    if ($pages.Count -eq 0) { throw "No cmdlet pages (<Verb>-<Noun>.md) in '$docs'." }
    $dup = $pages | Group-Object { $_.Name.ToLowerInvariant() } | Where-Object Count -gt 1 | Select-Object -First 1
    if ($dup) { throw "Two pages document $($dup.Group[0].Name): $($dup.Group.Source -join ', ')." }

    # XmlWriter escapes every value (&, <, >, quotes) and refuses characters XML cannot hold.
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $buffer = [System.IO.MemoryStream]::new()
    $w = [System.Xml.XmlWriter]::Create($buffer, $settings)
    try {
        $w.WriteStartDocument()
        $w.WriteComment(" Generated from $([System.IO.Path]::GetFileName($docs))/*.md by tests/Tools/HelpGenerator.psm1 for $ModuleName. Edit the markdown, not this file. ")
        $w.WriteStartElement('helpItems', $script:Ns.Msh)
        $w.WriteAttributeString('schema', 'maml')
        foreach ($page in $pages) { Write-MamlCommand $w $page }
        $w.WriteEndElement()
        $w.WriteEndDocument()
    }
    finally { $w.Dispose() }

    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $target) | Out-Null
    [System.IO.File]::WriteAllBytes($target, $buffer.ToArray())
    Write-Verbose "Wrote help for $($pages.Count) cmdlet(s) to $target"
    Get-Item -LiteralPath $target
}

Export-ModuleMember -Function ConvertTo-MamlHelp, ConvertFrom-HelpMarkdown, Get-HelpMarkdownFile
