using LightMesh.Cli.Output;
using LightMesh.Etcd.Documents;

namespace LightMesh.Cli.Commands;

/// <summary>Prints a store write's outcome and gives its exit code; shared by every verb that writes.</summary>
public static class WriteResults
{
    /// <summary>What follows each change a dry run reports: it was not written.</summary>
    public const string DryRunSuffix = " (dry run: nothing was written)";

    public static int Report(WriteResult result, int invalidExitCode = ExitCodes.InvalidInput)
    {
        switch (result.Outcome)
        {
            case WriteOutcome.Applied:
                foreach (var change in result.Changes)
                {
                    Printer.Line($"{change.Reference} {change.Kind.ToString().ToLowerInvariant()}{(result.DryRun ? DryRunSuffix : "")}");
                }

                return ExitCodes.Ok;
            case WriteOutcome.Invalid:
                Printer.Errors(result.Errors);
                Printer.Error("nothing was written");
                return invalidExitCode;
            case WriteOutcome.Managed:
                // As the controller's 409 is printed, so the verb reads the same with --server and without.
                Printer.Errors(result.ManagedFields.Select(f => $"conflict: {f}"));
                return ExitCodes.Conflict;
            case WriteOutcome.Conflict or WriteOutcome.NotLeader:
                Printer.Error($"conflict: {result.Message}");
                return ExitCodes.Conflict;
            default:
                Printer.Error($"{result.Message}");
                return ExitCodes.NotFound;
        }
    }
}
