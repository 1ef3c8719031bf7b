using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LightMesh.Cli.Tests.Readme;

/// <summary>
/// The README's marked shell blocks (Quick start, Your first release, Running releases, the tokens, the CI webhook
/// example) run as a newcomer runs them: in order, in one shell, as written, from the checkout's root, on a fresh HOME,
/// against the real components <c>lightmesh dev up</c> starts. Each command must exit as its comment says (0 unless
/// <c>exits N</c>) and print what it says it prints.
/// </summary>
[Collection(ReleaseBuildCollectionDefinition.Name)]
public sealed partial class ReadmeTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(12);

    /// <summary>The sections whose blocks a newcomer runs; each must have a tested block.</summary>
    private static readonly string[] NewcomerSections =
        ["Quick start", "Your first release", "Running releases: `lightmesh server`", "Authentication", "CI webhooks"];

    private static string ReadmePath => Path.Combine(CliProcess.RepositoryRoot, "README.md");

    [Fact]
    public void EveryNewcomerSection_HasATestedBlock_AndEveryCommandPromisesAnExitCode()
    {
        var commands = ReadmeScript.Parse(File.ReadAllText(ReadmePath));
        Assert.All(NewcomerSections, section => Assert.Contains(commands, c => c.Section == section));
        Assert.Contains(commands, c => c.Text.StartsWith("./lightmesh dev up", StringComparison.Ordinal));
        Assert.Equal("./lightmesh dev down", ReadmeScript.WithoutComment(commands[^1].Text).Trim());
        Assert.Contains(commands, c => c.Prints.Contains("Succeeded"));
        Assert.Contains(commands, c => c.Prints.Contains("RolledBack") && c.Exits == 1);
    }

    [Fact]
    public void Parse_JoinsContinuedLines_AndReadsWhatAComment_Promises()
    {
        var commands = ReadmeScript.Parse("""
            # Section
            ```sh
            echo not tested   # prints "no"
            ```
            <!-- README test -->
            ```sh
            echo 'a # b' \
              c                # prints "a # b c"; exits 0
            false              # exits 1
            ```
            """);
        Assert.Collection(
            commands,
            c => Assert.Equal(("Section", 7, "a # b c", 0), (c.Section, c.Line, Assert.Single(c.Prints), c.Exits)),
            c => Assert.Equal(("Section", 9, 0, 1), (c.Section, c.Line, c.Prints.Count, c.Exits)));
        Assert.Equal("echo 'a # b' \\\n  c                ", ReadmeScript.WithoutComment(commands[0].Text));
    }

    [Fact]
    public async Task MarkedBlocks_RunAsWritten_InOrder_OnAFreshHome()
    {
        var commands = ReadmeScript.Parse(await File.ReadAllTextAsync(ReadmePath));
        var home = Directory.CreateTempSubdirectory("lightmesh-readme-home-").FullName;
        var made = Path.Combine(CliProcess.RepositoryRoot, "bootstrap.json");
        var madeBefore = File.Exists(made);
        try
        {
            var run = await RunAsync(Script(commands), home);
            var steps = Steps(run.Output);
            foreach (var (command, index) in commands.Select((c, i) => (c, i)))
            {
                Assert.True(steps.TryGetValue(index, out var step), $"{command} did not run; the script ended before it (exit {run.ExitCode})\n{Explain(run.Output, home)}");
                if (!command.Background)
                {
                    Assert.True(step.ExitCode == command.Exits, $"{command} exited {step.ExitCode}, not {command.Exits}:\n{step.Output}\n{Explain(run.Output, home)}");
                }

                foreach (var text in command.Prints)
                {
                    Assert.True(step.Output.Contains(text, StringComparison.Ordinal), $"{command} did not print \"{text}\":\n{step.Output}");
                }
            }

            Assert.False(Directory.Exists(Path.Combine(home, ".lightmesh", "dev")), "dev down left ~/.lightmesh/dev behind");
        }
        finally
        {
            // Whatever the README started, even after a failure halfway.
            await RunAsync("[ -d ~/.lightmesh/dev ] && ./lightmesh dev down >/dev/null 2>&1; true", home);
            if (!madeBefore)
            {
                File.Delete(made);
            }

            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>
    /// One bash script: each command between markers that carry its index and exit code, so the output can be cut
    /// into steps; it stops at the first command that exits other than its comment says.
    /// </summary>
    private static string Script(IReadOnlyList<ReadmeCommand> commands)
    {
        var script = new StringBuilder("exec 2>&1\n");
        foreach (var (command, index) in commands.Select((c, i) => (c, i)))
        {
            script.Append(CultureInfo.InvariantCulture, $"echo '@@step {index}@@'\n{command.Text}\n");
            script.Append(command.Background
                ? string.Create(CultureInfo.InvariantCulture, $"echo '@@exit {index} 0@@'\n")
                : string.Create(CultureInfo.InvariantCulture, $"status=$?; echo \"@@exit {index} $status@@\"; [ $status -eq {command.Exits} ] || exit 90\n"));
        }

        return script.ToString();
    }

    private sealed record Step(int ExitCode, string Output);

    private static Dictionary<int, Step> Steps(string output)
    {
        var steps = new Dictionary<int, Step>();
        foreach (Match step in StepPattern().Matches(output))
        {
            var index = int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture);
            steps[index] = new Step(int.Parse(step.Groups[3].Value, CultureInfo.InvariantCulture), step.Groups[2].Value);
        }

        return steps;
    }

    private sealed record Run(int ExitCode, string Output);

    /// <summary>Runs <paramref name="script"/> with bash from the checkout's root, on <paramref name="home"/>, and returns all it printed.</summary>
    private static async Task<Run> RunAsync(string script, string home)
    {
        var info = new ProcessStartInfo("setsid", ["bash", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = CliProcess.RepositoryRoot,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("LIGHTMESH_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        // A fresh HOME, as a newcomer's; NuGet's package folder stays the machine's, so building the CLI and the demo
        // service downloads nothing again.
        info.Environment["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        info.Environment["HOME"] = home;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var output = new StringBuilder();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The whole session: bash and whatever it runs in the foreground.
            using var kill = Process.Start("kill", ["-KILL", $"-{process.Id}"]);
            await kill.WaitForExitAsync();
            await process.WaitForExitAsync();
            lock (output)
            {
                output.AppendLine(CultureInfo.InvariantCulture, $"@@killed after {RunTimeout.TotalMinutes} minutes@@");
            }
        }

        lock (output)
        {
            return new Run(process.ExitCode, output.ToString());
        }
    }

    /// <summary>What a failure shows: everything the script printed and the end of each dev log.</summary>
    private static string Explain(string output, string home)
    {
        var text = new StringBuilder($"--- the script printed:\n{output}");
        var dev = Path.Combine(home, ".lightmesh", "dev");
        if (Directory.Exists(dev))
        {
            foreach (var log in Directory.EnumerateFiles(dev, "*.log"))
            {
                text.Append(CultureInfo.InvariantCulture, $"--- {log}, last lines:\n{string.Join('\n', File.ReadLines(log).TakeLast(30))}\n");
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"@@step (\d+)@@\r?\n(.*?)@@exit \1 (\d+)@@", RegexOptions.Singleline)]
    private static partial Regex StepPattern();
}
