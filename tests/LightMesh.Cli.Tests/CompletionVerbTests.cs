using System.Diagnostics;
using System.Text.RegularExpressions;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// <c>lightmesh completion</c>: the bash script is sourced by a real bash and its function called as bash's completion
/// calls it; its answers are checked against the verbs and options <c>--help</c> lists, so they come from the
/// configured verbs. zsh and fish are not installed here: their scripts are checked to name every verb and option.
/// </summary>
public sealed partial class CompletionVerbTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lightmesh-completion-").FullName;
    private string _bash = "";

    public async Task InitializeAsync()
    {
        var generated = await RunAsync("completion", "bash");
        Assert.True(generated.ExitCode == 0, generated.ToString());
        _bash = Path.Combine(_directory, "lightmesh.bash");
        await File.WriteAllTextAsync(_bash, generated.Stdout);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Bash_ReleaseP_CompletesPauseAndPromote()
    {
        Assert.Equal(["pause", "promote"], await CompleteAsync("lightmesh", "release", "p"));
    }

    [Fact]
    public async Task Bash_Sourced_RegistersTheFunctionWithFileNamesAsTheFallback()
    {
        var registered = await BashAsync($"source {_bash}; complete -p lightmesh");

        Assert.Equal("complete -o default -F _lightmesh lightmesh", registered.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("release")]
    [InlineData("xds")]
    [InlineData("compose")]
    [InlineData("dev")]
    [InlineData("envoy")]
    public async Task Bash_AfterABranch_CompletesEveryVerbItsHelpLists(string branch)
    {
        var help = await RunAsync([.. Words(branch), "--help"]);
        var listed = Section(help.Stdout, "COMMANDS").Select(line => CommandName().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

        var completed = await CompleteAsync(["lightmesh", .. Words(branch), ""]);

        Assert.NotEmpty(listed);
        Assert.Equal(listed, completed);
    }

    [Fact]
    public async Task Bash_OptionOfALeafVerb_CompletesItsOwnAndItsBranchsOptions()
    {
        var listed = (await Task.WhenAll(RunAsync("release", "--help"), RunAsync("release", "status", "--help")))
            .SelectMany(help => Section(help.Stdout, "OPTIONS"))
            .Select(line => LongOption().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value)
            .Order(StringComparer.Ordinal).Distinct().ToList();

        var completed = await CompleteAsync("lightmesh", "release", "status", "some-id", "--");

        Assert.Contains("--watch", listed);
        Assert.Equal(listed, completed.Order(StringComparer.Ordinal));
        Assert.Equal(["--watch"], await CompleteAsync("lightmesh", "release", "status", "some-id", "--w"));
    }

    [Fact]
    public async Task Bash_OptionsAndTheirValuesBeforeAVerb_AreSkipped()
    {
        Assert.Equal(["start", "status", "start-group"], await CompleteAsync("lightmesh", "release", "-o", "json", "--server", "http://127.0.0.1:8080", "st"));
        Assert.Equal(["register", "release"], await CompleteAsync("lightmesh", "--help", "re"));
    }

    [Fact]
    public async Task Bash_ValueOfAnOption_OffersNoVerbSoBashCompletesFileNames()
    {
        Assert.Empty(await CompleteAsync("lightmesh", "apply", "-f", ""));
        Assert.Empty(await CompleteAsync("lightmesh", "release", "--server", "st"));
    }

    [Fact]
    public async Task ZshAndFish_Scripts_NameEveryVerbAndEveryOption()
    {
        var zsh = await RunAsync("completion", "zsh");
        var fish = await RunAsync("completion", "fish");
        Assert.True(zsh.ExitCode == 0, zsh.ToString());
        Assert.True(fish.ExitCode == 0, fish.ToString());
        Assert.StartsWith("#compdef lightmesh\n", zsh.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("compdef _lightmesh lightmesh\n", zsh.Stdout, StringComparison.Ordinal);

        // Every verb under every branch, as the bash script (checked above against --help) completes them.
        foreach (var branch in new[] { "", "release", "xds", "compose", "dev", "envoy" })
        {
            foreach (var verb in await CompleteAsync(["lightmesh", .. Words(branch), ""]))
            {
                Assert.Matches($"'{Regex.Escape(verb)}:[^']+'", zsh.Stdout);
                Assert.Contains($"complete -c lightmesh -f -n '__lightmesh_is \\'{branch}\\'' -a '{verb}' -d '", fish.Stdout, StringComparison.Ordinal);
            }
        }

        Assert.Contains("complete -c lightmesh -n '__lightmesh_is \\'release status\\'' -s 'w' -l 'watch' -d 'Follow the release until it ends", fish.Stdout, StringComparison.Ordinal);
        Assert.Contains("complete -c lightmesh -n '__lightmesh_is \\'release status\\'' -l 'server' -r -d '", fish.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^ +'release status'\) reply=\(.*'--watch:Follow the release until it ends", zsh.Stdout);
    }

    [Fact]
    public async Task Completion_UnknownShell_ExitsTwoNamingTheShells()
    {
        var result = await RunAsync("completion", "tcsh");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("SHELL: \"tcsh\" is not one of bash, zsh, fish", result.Stderr, StringComparison.Ordinal);
    }

    private static string[] Words(string branch) => branch.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The lines of a help section (COMMANDS, OPTIONS): from its header to the next blank line.</summary>
    private static IEnumerable<string> Section(string help, string header) =>
        help.Split('\n').SkipWhile(line => line != $"{header}:").Skip(1).TakeWhile(line => line.Trim().Length > 0);

    // A command's first line is indented by four; its description's continuation lines by more.
    [GeneratedRegex(@"^ {4}([a-z][a-z-]*)\b")]
    private static partial Regex CommandName();

    // An option's line starts "    -o, --output" or "        --etcd"; its description's continuation lines are indented further.
    [GeneratedRegex(@"^ {4}(?:-\w, | {4})(--[a-z-]+)")]
    private static partial Regex LongOption();

    /// <summary>What the script's function offers for <paramref name="words"/>, the last being the word at the cursor.</summary>
    private async Task<IReadOnlyList<string>> CompleteAsync(params string[] words)
    {
        var output = await BashAsync(
            $"source {_bash}; COMP_WORDS=(\"$@\"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _lightmesh; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<string> BashAsync(string script, IReadOnlyList<string>? args = null)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--norc", "--noprofile", "-c", script, "bash", .. args ?? []])
        {
            info.ArgumentList.Add(arg);
        }

        using var bash = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0 && stderr.Length == 0, $"bash exited {bash.ExitCode}: {stderr}");
        return await stdout;
    }
}
