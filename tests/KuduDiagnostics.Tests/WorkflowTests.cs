using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace KuduDiagnostics.Tests
{
    /// <summary>
    /// .github/workflows/ci.yml runs where this machine cannot (Windows PowerShell 5.1), so it is checked here as far
    /// as it can be: it parses, it has the jobs it promises, and every path, -Task value and tool it names exists.
    /// </summary>
    public class WorkflowTests
    {
        private static readonly string Root = TestPaths.RepoRoot;
        private static readonly YamlMappingNode Workflow = Load();

        [Fact]
        public void Runs_on_ubuntu_and_on_windows_under_both_PowerShells()
        {
            YamlMappingNode jobs = Map(Workflow, "jobs");
            string[] runners = jobs.Children.Values.Cast<YamlMappingNode>().Select(j => Scalar(j, "runs-on")).OrderBy(r => r).ToArray();
            Assert.Equal(new[] { "ubuntu-latest", "windows-latest" }, runners);

            YamlMappingNode windows = jobs.Children.Values.Cast<YamlMappingNode>().Single(j => Scalar(j, "runs-on") == "windows-latest");
            string[] shells = ((YamlSequenceNode)Map(Map(windows, "strategy"), "matrix")["shell"]).Children.Select(n => n.ToString()).OrderBy(s => s).ToArray();
            Assert.Equal(new[] { "powershell", "pwsh" }, shells);

            // Each matrix value has its own test step, in its own shell, that runs build.ps1 -Task Test.
            foreach (string shell in shells)
            {
                YamlMappingNode step = Steps(windows).Single(s => Optional(s, "if") == $"matrix.shell == '{shell}'");
                Assert.Equal(shell, Scalar(step, "shell"));
                Assert.Matches(@"build\.ps1 -Task Test", Scalar(step, "run"));
            }
        }

        [Fact]
        public void Every_run_step_names_only_paths_and_tasks_the_repository_has()
        {
            string[] tasks = BuildTasks();
            var checkedPaths = new List<string>();
            foreach (YamlMappingNode step in AllSteps().Where(s => s.Children.ContainsKey("run")))
            {
                string run = Scalar(step, "run");
                foreach (Match m in Regex.Matches(run, @"-Task\s+([\w,]+)"))
                {
                    Assert.All(m.Groups[1].Value.Split(','), t => Assert.Contains(t, tasks));
                }

                foreach (Match m in Regex.Matches(run, @"(?:\./)?((?:\.ci|tests|src|docs)/[\w./-]+|[\w.-]+\.ps1)"))
                {
                    Assert.True(File.Exists(Path.Combine(Root, m.Groups[1].Value)), $"'{m.Groups[1].Value}' in step '{Optional(step, "name")}' is not in the repository");
                    checkedPaths.Add(m.Groups[1].Value);
                }

                if (run.Contains("dotnet pwsh", StringComparison.Ordinal) || run.Contains("dotnet tool restore", StringComparison.Ordinal))
                {
                    Assert.Contains("\"pwsh\"", File.ReadAllText(Path.Combine(Root, "dotnet-tools.json")));
                }
            }

            Assert.Contains(".ci/run", checkedPaths);
            Assert.Contains("build.ps1", checkedPaths);
        }

        [Fact]
        public void Actions_are_GitHubs_own_at_a_major_version_and_artifacts_come_from_build_ps1s_output()
        {
            foreach (YamlMappingNode step in AllSteps().Where(s => s.Children.ContainsKey("uses")))
            {
                Assert.Matches(@"^actions/[a-z-]+@v\d+$", Scalar(step, "uses"));
                if (Scalar(step, "uses").StartsWith("actions/upload-artifact@", StringComparison.Ordinal))
                {
                    // build.ps1 writes xunit.trx and pester.xml to out/test-results.
                    Assert.Equal("out/test-results", Scalar(Map(step, "with"), "path"));
                    Assert.Contains("Join-Path $Out 'test-results'", File.ReadAllText(Path.Combine(Root, "build.ps1")));
                }
            }
        }

        private static YamlMappingNode Load()
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(Path.Combine(Root, ".github", "workflows", "ci.yml"))));
            return (YamlMappingNode)stream.Documents.Single().RootNode;
        }

        /// <summary>The values of build.ps1's [ValidateSet(...)] on -Task.</summary>
        private static string[] BuildTasks()
        {
            Match m = Regex.Match(File.ReadAllText(Path.Combine(Root, "build.ps1")), @"\[ValidateSet\(([^)]*)\)\]\s*\[string\[\]\]\s*\$Task");
            Assert.True(m.Success, "build.ps1 has no ValidateSet on -Task");
            return Regex.Matches(m.Groups[1].Value, @"'(\w+)'").Select(x => x.Groups[1].Value).ToArray();
        }

        private static IEnumerable<YamlMappingNode> AllSteps() => Map(Workflow, "jobs").Children.Values.Cast<YamlMappingNode>().SelectMany(Steps);

        private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>();

        private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

        private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

        private static string? Optional(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? ((YamlScalarNode)value).Value : null;
    }
}
