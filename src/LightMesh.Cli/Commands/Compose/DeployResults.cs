using LightMesh.Cli.Output;
using LightMesh.Deployer;

namespace LightMesh.Cli.Commands.Compose;

/// <summary>Prints a deployment's outcome and gives its exit code; shared by compose apply and undo.</summary>
public static class DeployResults
{
    public static int Report(DeployResult result)
    {
        foreach (var error in result.Errors)
        {
            Printer.Error(error);
        }

        switch (result.Outcome)
        {
            case DeployOutcome.Applied:
                Printer.Line($"node is at revision {result.Revision}");
                return ExitCodes.Ok;
            case DeployOutcome.Unchanged:
                Printer.Line($"node is already at revision {result.Revision}; nothing to do");
                return ExitCodes.Ok;
            case DeployOutcome.Invalid:
                return ExitCodes.InvalidInput;
            case DeployOutcome.Busy:
                return ExitCodes.Conflict;
            case DeployOutcome.NotFound:
                return ExitCodes.NotFound;
            default:
                return ExitCodes.Failed;
        }
    }
}
