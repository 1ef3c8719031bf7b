using System.Globalization;
using System.Text.Json;
using LightMesh.ControlPlane.Hosting;

namespace LightMesh.Cli.Output;

/// <summary>Prints the control plane's status (snapshot, held-back routes, every proxy per type) as a table, JSON or YAML.</summary>
public static class StatusOutput
{
    public static void Print(StatusReport report, string output)
    {
        switch (output)
        {
            case "json":
                Printer.Json([JsonSerializer.SerializeToNode(report, JsonSerializerOptions.Web)!], asList: false);
                break;
            case "yaml":
                Printer.Yaml([JsonSerializer.SerializeToNode(report, JsonSerializerOptions.Web)!]);
                break;
            default:
                Printer.Line($"snapshot revision {report.Revision}, {report.Proxies.Count} prox{(report.Proxies.Count == 1 ? "y" : "ies")}");
                foreach (var problem in report.Problems)
                {
                    Printer.Line($"held back: {problem}");
                }

                Printer.Table(
                    ["NODE", "STREAM", "CONVERGED", "TYPE", "ACKED", "WAITING", "LAST NACK"],
                    report.Proxies.SelectMany(p => p.Types.Select(t => (IReadOnlyList<string>)
                    [
                        p.NodeId, p.StreamId, p.ConvergedRevision.ToString(CultureInfo.InvariantCulture), t.Type, t.AckedVersion,
                        t.AwaitingReply ? "yes" : "", t.LastNackError is null ? "" : $"{t.LastNackVersion}: {t.LastNackError}",
                    ])));
                break;
        }
    }
}
