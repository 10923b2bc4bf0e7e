# Reads the docs for what they claim about the module: the parameters they name (with the commands those parameters
# belong to) and the column headers of the sample tables they show. DocsDrift.Tests.ps1 checks the claims against
# the built module; this module only reads markdown, so it knows nothing of what is true.

Set-StrictMode -Version 3.0

# PowerShell operators, which prose writes as `-like` or `-f` and which are no parameters.
$script:Operator = '^(?:[ci]?(?:eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|replace|split|contains|notcontains|in|notin)|and|or|xor|not|band|bor|bxor|bnot|shl|shr|is|isnot|as|f|join)$'
# A parameter written in prose: a dash that starts a word, then a letter.
$script:ProseParameter = '(?<![\w-])-([A-Za-z][A-Za-z0-9]*)\b(?!-)'
# A command named in prose: an approved-style Verb-Noun.
$script:CommandName = '(?<![\w-])([A-Z][a-z]+-[A-Z][A-Za-z0-9]+)(?![\w-])'

function Get-CodeCommand {
    # The commands of a piece of PowerShell and the parameters written after each (the parser decides which command
    # a -Name belongs to, so `Remove-Item -Force` gives Remove-Item's -Force and `$a -like 'x'` gives nothing).
    param([string] $Code)
    $tokens = $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
    foreach ($command in $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)) {
        $name = $command.GetCommandName()
        if (-not $name) { continue }
        [pscustomobject]@{
            Name       = $name
            Parameters = @($command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } |
                    ForEach-Object { [pscustomobject]@{ Name = $_.ParameterName; Line = $_.Extent.StartLineNumber } })
        }
    }
}

function Get-ProseMention {
    # The parameters a paragraph of prose names, each tied to the commands the paragraph (or its example) names.
    param([string[]] $Lines, [int] $FirstLine, [string[]] $Context, [string] $Where, [string] $File, [string] $Kind = 'Prose')
    $named = @(foreach ($l in $Lines) { [regex]::Matches($l, $script:CommandName) | ForEach-Object { $_.Groups[1].Value } })
    $commands = @(@($Context) + $named | Where-Object { $_ } | Select-Object -Unique)
    for ($i = 0; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        # An inline code span that starts with a command is PowerShell: its parameters are that command's.
        foreach ($span in [regex]::Matches($line, '`([^`]+)`')) {
            $code = $span.Groups[1].Value
            if ($code -notmatch '^\s*[A-Za-z$&(.!]') { continue }   # `-Force`, `<redacted: use -X>`: prose
            foreach ($c in @(Get-CodeCommand $code)) {
                foreach ($p in $c.Parameters) { New-Mention $File ($FirstLine + $i) $Where $p.Name @($c.Name) 'Code' }
            }
        }
        # Prose reads on with the parameter spans (`-Force`) kept as text and the command spans blanked out.
        $rest = [regex]::Replace($line, '`([^`]+)`', [System.Text.RegularExpressions.MatchEvaluator] {
                param($m) if ($m.Groups[1].Value -notmatch '^\s*[A-Za-z$&(.!]') { " $($m.Groups[1].Value) " } else { ' ' } })
        foreach ($m in [regex]::Matches($rest, $script:ProseParameter)) {
            $name = $m.Groups[1].Value
            if ($name -match $script:Operator) { continue }
            New-Mention $File ($FirstLine + $i) $Where $name $commands $Kind
        }
    }
}

function New-Mention {
    # Kind: Code (the parser tied it to its command), Prose (the commands around it) or Output (the module's own words).
    param([string] $File, [int] $Line, [string] $Where, [string] $Parameter, [string[]] $Commands, [string] $Kind)
    [pscustomobject]@{ File = $File; Line = $Line; Where = $Where; Parameter = $Parameter; Commands = @($Commands); Kind = $Kind }
}

function Get-DocParameterMention {
    <#
    .SYNOPSIS
        Every -Parameter a markdown page names outside its SYNTAX blocks and parameter headings/yaml: in PowerShell
        code blocks (tied by the parser to its command), in inline code, in output text and in prose (tied to the
        page's own cmdlet, the commands the paragraph names and, in an example, the commands of its code).
    #>
    param([Parameter(Mandatory)] [string] $Path, [string] $PageCommand)
    $file = Split-Path -Leaf $Path
    $lines = [System.IO.File]::ReadAllLines($Path)
    $section = ''; $heading = ''; $exampleCommands = @()
    $para = [System.Collections.Generic.List[string]]::new(); $paraStart = 0
    $flush = {
        if ($para.Count -and $section -notin 'SYNTAX', 'RELATED LINKS' -and $heading -ne 'CommonParameters') {
            Get-ProseMention -Lines $para.ToArray() -FirstLine $paraStart -Context (@($PageCommand) + $exampleCommands) -Where (Get-Where) -File $file
        }
        $para.Clear()
    }
    function Get-Where { if ($heading) { $heading } elseif ($section) { $section } else { 'top' } }

    for ($i = 0; $i -lt $lines.Count; $i++) {
        $text = $lines[$i].TrimEnd()
        if ($text -match '^```\s*([A-Za-z0-9_+-]*)$') {
            . $flush
            $lang = $Matches[1]; $start = $i + 1
            $body = [System.Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i].TrimEnd() -ne '```'; $i++) { $body.Add($lines[$i]) }
            if ($section -eq 'SYNTAX' -or $lang -in 'yaml', 'bash', 'sh', 'json', 'xml') { continue }
            if ($lang -in 'powershell', 'ps1', 'pwsh') {
                $commands = @(Get-CodeCommand ($body -join "`n"))
                $exampleCommands = @(@($exampleCommands) + @($commands | ForEach-Object Name) | Select-Object -Unique)
                foreach ($c in $commands) {
                    foreach ($p in $c.Parameters) { New-Mention $file ($start + $p.Line) (Get-Where) $p.Name @($c.Name) 'Code' }
                }
            }
            else {
                # Sample output: warnings and messages name parameters as prose does.
                Get-ProseMention -Lines $body.ToArray() -FirstLine ($start + 1) -Context (@($PageCommand) + $exampleCommands) -Where (Get-Where) -File $file -Kind Output
            }
            continue
        }
        if ($text -match '^(#+)\s+(.+)$') {
            . $flush
            if ($Matches[1].Length -le 2) { $section = $Matches[2].Trim(); $heading = '' } else { $heading = $Matches[2].Trim() }
            $exampleCommands = @()
            continue
        }
        if (-not $text.Trim()) { . $flush; continue }
        if (-not $para.Count) { $paraStart = $i + 1 }
        $para.Add($text)
    }
    . $flush
}

function Get-DocOutputTable {
    <#
    .SYNOPSIS
        Every sample table of a markdown page: inside a ``` block without a language, a header line followed by a
        line of dash runs. Headers are cut where the dashes are, so 'Biggest types' stays one header. Each table
        comes with the PowerShell code shown last before it in the same section or example.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $file = Split-Path -Leaf $Path
    $lines = [System.IO.File]::ReadAllLines($Path)
    $heading = 'top'; $code = ''
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $text = $lines[$i].TrimEnd()
        if ($text -match '^#+\s+(.+)$') { $heading = $Matches[1].Trim(); $code = ''; continue }
        if ($text -notmatch '^```\s*([A-Za-z0-9_+-]*)$') { continue }
        $lang = $Matches[1]
        $body = [System.Collections.Generic.List[string]]::new(); $start = $i + 1
        for ($i++; $i -lt $lines.Count -and $lines[$i].TrimEnd() -ne '```'; $i++) { $body.Add($lines[$i].TrimEnd()) }
        if ($lang -in 'powershell', 'ps1', 'pwsh') { $code = $body -join "`n"; continue }
        if ($lang) { continue }
        for ($j = 1; $j -lt $body.Count; $j++) {
            if ($body[$j] -notmatch '^\s*-+(\s+-+)*$' -or -not $body[$j - 1].Trim()) { continue }
            $header = $body[$j - 1]
            $columns = foreach ($run in [regex]::Matches($body[$j], '-+')) {
                $end = [Math]::Min($run.Index + $run.Length, $header.Length)
                if ($run.Index -lt $end) { $header.Substring($run.Index, $end - $run.Index).Trim() } else { '' }
            }
            [pscustomobject]@{ File = $file; Line = $start + $j; Where = $heading; Columns = @($columns); Code = $code }
        }
    }
}

function Get-DocumentedCommand {
    <#
    .SYNOPSIS
        A cmdlet as its page documents it: with its dynamic parameters. Invoke-FunctionAppDump's watch triggers exist
        only once -Watch is given, so Get-Command alone does not show them; this reads the cmdlet with each of its
        switches given in turn (Get-Command -ArgumentList) and returns the view with the most parameters.
    #>
    param([Parameter(Mandatory)] [System.Management.Automation.CommandInfo] $Command)
    if ($Command -isnot [System.Management.Automation.CmdletInfo] -or
        -not [System.Management.Automation.IDynamicParameters].IsAssignableFrom($Command.ImplementingType)) { return $Command }
    $fullest = $Command
    foreach ($switch in @($Command.Parameters.Values | Where-Object SwitchParameter)) {
        $view = Get-Command $Command.Name -ArgumentList "-$($switch.Name)" -ErrorAction Ignore
        # Keys.Count: a dictionary's .Count would be its 'Count' entry, a parameter of the watch.
        if ($view -and $view.Parameters.Keys.Count -gt $fullest.Parameters.Keys.Count) { $fullest = $view }
    }
    $fullest
}

Export-ModuleMember -Function Get-DocParameterMention, Get-DocOutputTable, Get-CodeCommand, Get-DocumentedCommand
