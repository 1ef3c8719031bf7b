namespace LightMesh.Processes;

/// <summary>How a child process ended: its exit code and what it wrote (stdout and stderr interleaved as they arrived).</summary>
public sealed record ToolRunResult(string Command, int ExitCode, IReadOnlyList<string> Lines)
{
    /// <summary>The last <paramref name="count"/> lines, for an error message that shows why without the whole log.</summary>
    public string Tail(int count) => string.Join('\n', Lines.Skip(Math.Max(0, Lines.Count - count)));
}
