using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// docs/design.md's layer table is the rule the folders keep: every folder's using lines (and any fully
    /// qualified name) may name only the folders its row lists, those must sit on a lower floor, and the row lists
    /// nothing the folder does not use. A new arrow upwards, or a table that drifts from the code, fails here.
    /// </summary>
    public sealed class LayerTableTests
    {
        private static readonly string[] Folders = { "Commands", "Watch", "Analysis", "Dumps", "Session", "Azure", "Kudu", "Http", "Timing", "Model" };

        private static readonly Regex Reference = new Regex(@"\bKuduDiagnostics\.(?<ns>[A-Z][A-Za-z]*)\b", RegexOptions.Compiled);

        [Fact]
        public void EveryArrowPointsDownAndTheTableSaysWhichFolderUsesWhich()
        {
            Dictionary<string, Layer> table = ReadTable();
            var wrong = new List<string>();
            foreach (string folder in CodeFolders())
            {
                string name = Path.GetFileName(folder);
                Assert.True(table.ContainsKey(name), $"docs/design.md's layer table has no row for {name}/.");
                Layer layer = table[name];
                var used = new SortedSet<string>(StringComparer.Ordinal);
                foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
                {
                    foreach (string line in File.ReadLines(file))
                    {
                        string trimmed = line.TrimStart();
                        if (trimmed.StartsWith("namespace ", StringComparison.Ordinal) || trimmed.StartsWith("//", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        foreach (Match m in Reference.Matches(line))
                        {
                            string target = FolderOf(m.Groups["ns"].Value);
                            if (target == name || !Folders.Contains(target))
                            {
                                continue;
                            }

                            used.Add(target);
                            if (!layer.Uses.Contains(target))
                            {
                                wrong.Add($"{Relative(file)} uses {target}/, which the {name}/ row does not list: {trimmed}");
                            }
                            else if (table.TryGetValue(target, out Layer? below) && below.Floor >= layer.Floor)
                            {
                                wrong.Add($"{Relative(file)}: {name}/ (floor {layer.Floor}) uses {target}/ (floor {below.Floor}), an arrow that does not point down");
                            }
                        }
                    }
                }

                foreach (string listed in layer.Uses.Where(u => u != "Model" && !used.Contains(u)))
                {
                    wrong.Add($"the {name}/ row lists {listed}, which no file in {name}/ uses");
                }
            }

            Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        }

        [Fact]
        public void EveryFileSitsInTheNamespaceOfItsFolder()
        {
            var wrong = new List<string>();
            foreach (string folder in CodeFolders())
            {
                string name = Path.GetFileName(folder);
                foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
                {
                    foreach (Match m in Regex.Matches(File.ReadAllText(file), @"^\s*namespace KuduDiagnostics\.(?<ns>\w+)", RegexOptions.Multiline))
                    {
                        if (FolderOf(m.Groups["ns"].Value) != name)
                        {
                            wrong.Add($"{Relative(file)} is in {name}/ but declares namespace KuduDiagnostics.{m.Groups["ns"].Value}");
                        }
                    }
                }
            }

            Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        }

        private static IEnumerable<string> CodeFolders()
        {
            string core = Path.Combine(TestPaths.RepoRoot, "src", "KuduDiagnostics.Core");
            return Directory.EnumerateDirectories(core)
                .Where(d => Path.GetFileName(d) != "bin" && Path.GetFileName(d) != "obj")
                .Append(Path.Combine(TestPaths.RepoRoot, "src", "KuduDiagnostics", "Commands"))
                .OrderBy(d => d, StringComparer.Ordinal);
        }

        private static string FolderOf(string ns) => ns == "AzurePlatform" ? "Azure" : ns;

        private static string Relative(string file) => Path.GetRelativePath(TestPaths.RepoRoot, file);

        /// <summary>The rows of the "## Layers" table: | floor | `Folder/` | holds | uses |.</summary>
        private static Dictionary<string, Layer> ReadTable()
        {
            string[] lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "design.md"));
            int start = Array.FindIndex(lines, l => l.StartsWith("## Layers", StringComparison.Ordinal));
            Assert.True(start >= 0, "docs/design.md has no '## Layers' section.");
            var table = new Dictionary<string, Layer>(StringComparer.Ordinal);
            foreach (string line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith("|", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith("|", StringComparison.Ordinal)))
            {
                string[] cells = line.Split('|').Select(c => c.Trim()).ToArray();
                if (cells.Length < 5 || !int.TryParse(cells[1], out int floor))
                {
                    continue; // the header and its rule
                }

                string folder = cells[2].Trim('`').TrimEnd('/');
                var uses = new HashSet<string>(Regex.Matches(cells[cells.Length - 2], @"\b[A-Z][a-z]+\b").Select(m => m.Value).Where(Folders.Contains), StringComparer.Ordinal);
                table[folder] = new Layer(floor, uses);
            }

            return table;
        }

        private sealed class Layer
        {
            public Layer(int floor, HashSet<string> uses)
            {
                Floor = floor;
                Uses = uses;
            }

            public int Floor { get; }

            public HashSet<string> Uses { get; }
        }
    }
}
