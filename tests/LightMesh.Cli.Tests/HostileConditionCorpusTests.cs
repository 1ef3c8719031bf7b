using System.Text.Json;
using static LightMesh.Cli.Tests.CliProcess;

namespace LightMesh.Cli.Tests;

/// <summary>
/// Every case of <c>tests/corpus/hostile/conditions/</c> given to <c>lightmesh analyze</c> as a process: it is refused
/// with its error and exit code, before any Prometheus is asked, and the process ends by itself (no crash, no hang).
/// </summary>
public sealed class HostileConditionCorpusTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot, "tests", "corpus", "hostile", "conditions");

    /// <summary>A case as its file says it (see the folder's README).</summary>
    private sealed record CorpusCase(string About, string Template, Dictionary<string, string> Args, int ExitCode, string Error);

    private static List<string> CaseFiles() =>
        [.. Directory.EnumerateFiles(Folder, "*.case.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Cases() => new(CaseFiles());

    [Fact]
    public void Corpus_HoldsTheCasesOfTheIssue() =>
        Assert.Superset(
            new HashSet<string> { "or-true.case.json", "deep-parentheses-condition.case.json", "deep-parentheses-argument.case.json", "query-breakout.case.json", "undeclared-argument.case.json" },
            CaseFiles().ToHashSet());

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Analyze_HostileInput_IsRefusedWithItsErrorAndExitCode(string name)
    {
        var corpusCase = JsonSerializer.Deserialize<CorpusCase>(await File.ReadAllTextAsync(Path.Combine(Folder, name)), JsonSerializerOptions.Web)!;
        var args = new Dictionary<string, string> { ["service"] = "checkout", ["canary"] = "v2" };
        foreach (var (key, value) in corpusCase.Args)
        {
            args[key] = value;
        }

        var result = await RunAsync(
        [
            "analyze", "--template", Path.Combine(Folder, corpusCase.Template), "--prometheus", "http://127.0.0.1:9", "--count", "1", "--interval", "1s",
            .. args.SelectMany(a => new[] { "--arg", $"{a.Key}={a.Value}" }),
        ]);

        Assert.True(result.ExitCode == corpusCase.ExitCode, $"{corpusCase.About}\n{result}");
        Assert.True(result.Stderr.Contains(corpusCase.Error, StringComparison.Ordinal), $"{corpusCase.About}: expected \"{corpusCase.Error}\"\n{result}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }
}
