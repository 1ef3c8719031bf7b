using System.Diagnostics;
using LightMesh.Core;

namespace LightMesh.Cli.Local;

public sealed partial class LocalProcess
{
    private const int ShownLines = 15;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinimumAttempt = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Polls <paramref name="readiness"/> until it passes; throws, naming this process, its log and its last lines, if
    /// it does not pass in time or the process exits first. The process is left running either way.
    /// </summary>
    public async Task WaitUntilReadyAsync(Readiness readiness, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var last = "no attempt finished";
        while (true)
        {
            if (_process.HasExited)
            {
                await DrainAsync();
                throw new LightMeshException(Explain($"{Name} exited with code {_process.ExitCode} before it was ready"));
            }

            // The last attempt may not outlast the deadline by much, nor be cut too short to answer at all.
            var remaining = readiness.Timeout - waited.Elapsed;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(remaining < MinimumAttempt ? MinimumAttempt : remaining < readiness.AttemptTimeout ? remaining : readiness.AttemptTimeout);
            try
            {
                if (await readiness.Probe(attempt.Token))
                {
                    return;
                }

                last = "not ready yet";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = $"no answer within {Seconds(readiness.AttemptTimeout)}";
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Anything a probe meets while the server comes up (refused connections, odd answers) means "not yet".
                last = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            }

            if (waited.Elapsed >= readiness.Timeout)
            {
                throw new LightMeshException(Explain(
                    $"{Name} was not ready within {Seconds(readiness.Timeout)}: waited for {readiness.Description}; the last attempt: {last}"));
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>A message about this process: <paramref name="headline"/>, then where its log is and its last lines.</summary>
    public string Explain(string headline)
    {
        var tail = Tail.TakeLast(ShownLines).ToList();
        return tail.Count == 0
            ? $"{headline}; it wrote nothing (log: {LogFile})"
            : $"{headline}; log: {LogFile}, ending with:\n  {string.Join("\n  ", tail)}";
    }
}
