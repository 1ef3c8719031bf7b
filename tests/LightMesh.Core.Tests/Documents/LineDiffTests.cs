using CsCheck;
using LightMesh.Core.Documents;

namespace LightMesh.Core.Tests.Documents;

/// <summary>
/// The line diff <c>apply --diff</c> prints. Generated cases (CsCheck) print their seed when one fails; set
/// <c>CsCheck_Seed</c> to replay it.
/// </summary>
public sealed class LineDiffTests
{
    // Few distinct lines, so that generated texts share many and the diff has kept lines to find.
    private static readonly Gen<string[]> Text = Gen.OneOf(Gen.Const("a"), Gen.Const("b"), Gen.Const("c"), Gen.Const("  d: 1"), Gen.Const("")).Array[0, 30];

    [Fact]
    public void TheDiff_TurnsTheFirstTextIntoTheSecond_KeepingALongestCommonRun() =>
        Gen.Select(Text, Text).Sample((before, after) =>
        {
            var lines = LineDiff.Lines(before, after);

            var rebuiltBefore = lines.Where(l => l.Change != LineChange.Added).Select(l => l.Text);
            var rebuiltAfter = lines.Where(l => l.Change != LineChange.Removed).Select(l => l.Text);
            return rebuiltBefore.SequenceEqual(before) && rebuiltAfter.SequenceEqual(after)
                && lines.Count(l => l.Change == LineChange.Kept) == LongestCommon(before, after);
        });

    [Fact]
    public void TheUnifiedDiff_OfTheSameText_IsEmpty_AndOfAChange_ReadsAsDiffU()
    {
        var before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        var after = "a\nb\nc\nD\ne\nf\ng\nh\ni\n";

        Assert.Empty(LineDiff.Unified(before, before, "x", "y"));
        Assert.Equal(
            ["--- stored", "+++ applied", "@@ -1,8 +1,9 @@", " a", " b", " c", "-d", "+D", " e", " f", " g", " h", "+i"],
            LineDiff.Unified(before, after, "stored", "applied"));
        Assert.Equal(["--- (none)", "+++ new", "@@ -0,0 +1,2 @@", "+x", "+y"], LineDiff.Unified("", "x\ny\n", "(none)", "new"));
    }

    [Fact]
    public void ChangesFarApart_AreSeparateHunks()
    {
        var before = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}"));
        var after = before.Replace("line 2\n", "line two\n", StringComparison.Ordinal).Replace("line 19", "line nineteen", StringComparison.Ordinal);

        var hunks = LineDiff.Unified(before, after, "a", "b").Where(l => l.StartsWith("@@", StringComparison.Ordinal)).ToList();

        Assert.Equal(["@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@"], hunks);
    }

    private static int LongestCommon(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                table[i, j] = a[i - 1] == b[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }

        return table[a.Length, b.Length];
    }
}
