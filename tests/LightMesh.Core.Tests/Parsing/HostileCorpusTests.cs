using LightMesh.Core.Parsing;
using LightMesh.Testing;

namespace LightMesh.Core.Tests.Parsing;

/// <summary>Each input of <c>tests/corpus/hostile</c> is refused by the parser with the error its manifest names, promptly.</summary>
public sealed class HostileCorpusTests
{
    public static TheoryData<string> Cases => HostileCorpus.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Parse_HostileInput_IsRefusedNamingTheProblem(string name)
    {
        var input = HostileCorpus.Named(name);
        var bytes = input.Bytes();

        // On a thread of its own with a deadline: input the parser ran on with would otherwise hold up the whole suite.
        var result = await Task.Run(() => DocumentParser.Parse(bytes, name)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(result.Documents);
        Assert.True(result.Errors.Any(e => e.ToString().Contains(input.Error, StringComparison.Ordinal)), $"no error holds \"{input.Error}\":\n{string.Join("\n", result.Errors)}");
        Assert.All(result.Errors, e => Assert.Equal(name, e.Source));
    }

    [Fact]
    public void Corpus_HoldsEveryKindOfHostileInputTheIssueNames()
    {
        var names = HostileCorpus.All.Select(c => c.Name).ToList();

        Assert.All(
            ["alias-cycle", "billion-laughs", "deep-brackets", "deep-braces", "twenty-megabytes", "nul-byte", "invalid-utf8", "number-too-large", "duplicate-key", "json-line-comment"],
            kind => Assert.Contains(names, n => n.StartsWith(kind, StringComparison.Ordinal)));
        Assert.InRange(HostileCorpus.Named("twenty-megabytes.yaml").Bytes().Length, 20_000_000, 22_000_000);
    }
}
