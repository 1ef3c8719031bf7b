namespace LightMesh.Cli.Local;

public sealed partial class LocalProcess
{
    private const int ShownLines = 15;

    /// <summary>
    /// Polls <paramref name="readiness"/> until it passes; throws, naming this process, its log and its last lines, if
    /// it does not pass in time or the process exits first. The process is left running either way.
    /// </summary>
    public Task WaitUntilReadyAsync(Readiness readiness, CancellationToken cancellationToken) =>
        readiness.WaitAsync(Name, ExitedAsync, Explain, cancellationToken);

    /// <summary>A message about this process: <paramref name="headline"/>, then where its log is and its last lines.</summary>
    public string Explain(string headline)
    {
        var tail = Tail.TakeLast(ShownLines).ToList();
        return tail.Count == 0
            ? $"{headline}; it wrote nothing (log: {LogFile})"
            : $"{headline}; log: {LogFile}, ending with:\n  {string.Join("\n  ", tail)}";
    }

    private async Task<string?> ExitedAsync()
    {
        if (!_process.HasExited)
        {
            return null;
        }

        await DrainAsync();
        return $"{Name} exited with code {_process.ExitCode} before it was ready";
    }
}
