using System.Text;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Parsing;

/// <summary>JSON from outside comes back as a tree that reads without exceptions, or as an error saying where it is wrong.</summary>
public sealed class JsonTextTests
{
    [Theory]
    [InlineData("{\"a\": \"\\ud800\"}", "line 1: a \\u escape of half a surrogate pair, which is not a character")]
    [InlineData("{\n\"\\udc00\": 1}", "line 2: a \\u escape of half a surrogate pair, which is not a character")]
    [InlineData("{\"a\": 1, \"a\": 2}", "not valid JSON: Duplicate property 'a'")]
    [InlineData("{\"a\": 1 // one\n}", "line 1: a comment, which JSON does not allow")]
    [InlineData("{\"a\": 1", "not valid JSON: ")]
    public void Parse_JsonItCannotReadSafely_IsAnErrorSayingWhere(string json, string error)
    {
        var (root, problem) = JsonText.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Null(root);
        Assert.StartsWith(error, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BytesThatAreNotUtf8_AreAnErrorNamingTheByte()
    {
        var (_, problem) = JsonText.Parse([.. "{\"a\":\n \""u8, 0xC3, 0x28, .. "\"}"u8]);

        Assert.StartsWith("not valid UTF-8: byte 0xC3 at line 2, column 3", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingPastTheLimit_IsAnError()
    {
        var (_, problem) = JsonText.Parse(Encoding.UTF8.GetBytes(new string('[', DocumentLimits.MaxDepth + 1)));

        Assert.Contains($"depth of {DocumentLimits.MaxDepth}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EscapedPairsAndEscapes_AreRead()
    {
        var (root, problem) = JsonText.Parse("{\"smile\": \"\\ud83d\\ude00\", \"tab\": \"a\\tb\"}"u8);

        Assert.Null(problem);
        Assert.Equal("\U0001F600", root!["smile"]!.GetValue<string>());
        Assert.Equal("a\tb", root["tab"]!.GetValue<string>());
    }
}
