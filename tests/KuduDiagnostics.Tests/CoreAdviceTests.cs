using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// The core reports facts; the cmdlet layer (Commands/Advice.cs) phrases what to type. So no string literal in
    /// src/KuduDiagnostics.Core names a parameter (-Path) or a cmdlet (Get-KuduProcess): one that does fails here
    /// with its file and line. Comments are not read: a comment may say which parameter a piece of code serves.
    /// </summary>
    public sealed class CoreAdviceTests
    {
        // A parameter: a hyphen that starts a word, then a capital and a small letter (not "-MM" of a date format).
        private static readonly Regex Parameter = new Regex(@"(?<![\w-])-[A-Z][a-z][A-Za-z]*", RegexOptions.Compiled);

        // A cmdlet: an approved verb, a hyphen, a capital.
        private static readonly Regex Cmdlet = new Regex(
            @"\b(Get|Set|New|Remove|Save|Invoke|Watch|Stop|Start|Restart|Connect|Disconnect|Add|Clear|Export|Import|Test|Update|Find|Install|Enable|Disable|Register|Out|Write|Read|Select|Wait|Use|Show|Copy|Move|Format|ConvertTo|ConvertFrom|Send|Receive|Publish|Reset|Resolve|Expand|Compress|Enter|Exit)-[A-Z][A-Za-z]+",
            RegexOptions.Compiled);

        // HTTP header names look like cmdlets and are not.
        private static readonly HashSet<string> NotAdvice = new HashSet<string>(StringComparer.Ordinal) { "Set-Cookie" };

        private static readonly Regex Literal = new Regex(@"@?\$?@?""(?:[^""\\]|\\.)*""", RegexOptions.Compiled);

        [Fact]
        public void No_core_string_names_a_parameter_or_a_cmdlet()
        {
            string core = Path.Combine(TestPaths.RepoRoot, "src", "KuduDiagnostics.Core");
            var found = new List<string>();
            foreach (string file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(f)).OrderBy(f => f, StringComparer.Ordinal))
            {
                found.AddRange(Offences(file, File.ReadAllLines(file)));
            }

            Assert.True(found.Count == 0, "The core should state facts and leave the advice to Commands/Advice.cs:\n" + string.Join("\n", found));
        }

        [Fact]
        public void The_scan_finds_a_parameter_or_cmdlet_and_passes_headers_dates_and_comments()
        {
            string[] lines =
            {
                "// Ends at -Count firings (a comment may name a parameter)",
                "string a = $\"{x} is there. Use -Force to overwrite it.\";",
                "string b = \"List them with Get-KuduInstance.\";",
                "headers.TryGetValues(\"Set-Cookie\", out _); headers.TryGetValue(\"Content-Disposition\", out _);",
                "string c = d.ToString(\"yyyy-MM-dd'T'HH:mm:ss\") + \"Retry-After\";",
            };

            string[] offences = Offences("Sample.cs", lines).ToArray();

            Assert.Equal(new[] { "Sample.cs:2: -Force", "Sample.cs:3: Get-KuduInstance" }, offences);
        }

        private static IEnumerable<string> Offences(string file, string[] lines)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                string trimmed = lines[i].TrimStart();
                if (trimmed.StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match literal in Literal.Matches(lines[i]))
                {
                    IEnumerable<Match> names = Parameter.Matches(literal.Value).Concat(Cmdlet.Matches(literal.Value));
                    foreach (Match name in names.Where(n => !NotAdvice.Contains(n.Value)))
                    {
                        yield return $"{Relative(file)}:{i + 1}: {name.Value}";
                    }
                }
            }
        }

        private static bool IsBuildOutput(string file) =>
            file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

        private static string Relative(string file) => Path.IsPathRooted(file) ? Path.GetRelativePath(TestPaths.RepoRoot, file) : file;
    }
}
