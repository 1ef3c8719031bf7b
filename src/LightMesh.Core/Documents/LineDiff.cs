namespace LightMesh.Core.Documents;

/// <summary>What one line of a diff does: stays, goes, or comes.</summary>
public enum LineChange
{
    Kept,
    Removed,
    Added,
}

/// <summary>One line of a diff and what happens to it.</summary>
public sealed record DiffLine(LineChange Change, string Text);

/// <summary>
/// Line diffs of two texts, as <c>lightmesh apply --diff</c> shows what it would change: the longest common run of lines
/// stays, and the rest is removed or added. Pure; texts too large to compare line by line (more than
/// <see cref="MaxCells"/> pairs of lines) are shown as all removed and all added.
/// </summary>
public static class LineDiff
{
    /// <summary>The most pairs of lines compared, which bounds the memory and time of one diff.</summary>
    public const long MaxCells = 4_000_000;

    /// <summary>Every line of <paramref name="before"/> and <paramref name="after"/>, in order, each kept, removed or added.</summary>
    public static IReadOnlyList<DiffLine> Lines(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        if ((long)before.Count * after.Count > MaxCells)
        {
            return [.. before.Select(l => new DiffLine(LineChange.Removed, l)), .. after.Select(l => new DiffLine(LineChange.Added, l))];
        }

        // common[i, j]: the length of the longest common subsequence of before[i..] and after[j..].
        var common = new int[before.Count + 1, after.Count + 1];
        for (var i = before.Count - 1; i >= 0; i--)
        {
            for (var j = after.Count - 1; j >= 0; j--)
            {
                common[i, j] = before[i] == after[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<DiffLine>(before.Count + after.Count);
        var (b, a) = (0, 0);
        while (b < before.Count || a < after.Count)
        {
            if (b < before.Count && a < after.Count && before[b] == after[a])
            {
                lines.Add(new DiffLine(LineChange.Kept, before[b++]));
                a++;
            }
            else if (b < before.Count && (a == after.Count || common[b + 1, a] >= common[b, a + 1]))
            {
                lines.Add(new DiffLine(LineChange.Removed, before[b++]));
            }
            else
            {
                lines.Add(new DiffLine(LineChange.Added, after[a++]));
            }
        }

        return lines;
    }

    /// <summary>
    /// A unified diff (<c>diff -u</c>) from <paramref name="beforeName"/> to <paramref name="afterName"/>, with
    /// <paramref name="context"/> kept lines around each change; empty when the texts are the same.
    /// </summary>
    public static IReadOnlyList<string> Unified(string before, string after, string beforeName, string afterName, int context = 3)
    {
        var lines = Lines(Split(before), Split(after));
        if (lines.All(l => l.Change == LineChange.Kept))
        {
            return [];
        }

        var output = new List<string> { $"--- {beforeName}", $"+++ {afterName}" };
        var changed = lines.Select((l, i) => (l, i)).Where(x => x.l.Change != LineChange.Kept).Select(x => x.i).ToList();
        var start = 0;
        while (start < changed.Count)
        {
            // A hunk runs from a change to the last change within 2 * context kept lines of the one before it.
            var end = start;
            while (end + 1 < changed.Count && changed[end + 1] - changed[end] <= 2 * context + 1)
            {
                end++;
            }

            var from = Math.Max(0, changed[start] - context);
            var to = Math.Min(lines.Count - 1, changed[end] + context);
            var beforeLine = 1 + lines.Take(from).Count(l => l.Change != LineChange.Added);
            var afterLine = 1 + lines.Take(from).Count(l => l.Change != LineChange.Removed);
            var hunk = lines.Skip(from).Take(to - from + 1).ToList();
            var beforeCount = hunk.Count(l => l.Change != LineChange.Added);
            var afterCount = hunk.Count(l => l.Change != LineChange.Removed);
            output.Add($"@@ -{Range(beforeLine, beforeCount)} +{Range(afterLine, afterCount)} @@");
            output.AddRange(hunk.Select(l => (l.Change switch { LineChange.Added => "+", LineChange.Removed => "-", _ => " " }) + l.Text));
            start = end + 1;
        }

        return output;
    }

    // As diff -u numbers an empty side: the line before it, and a count of 0.
    private static string Range(int line, int count) => count == 0 ? $"{line - 1},0" : count == 1 ? $"{line}" : $"{line},{count}";

    private static string[] Split(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}
