using System.Globalization;
using System.Text.Json;
using LightMesh.ControlPlane.Hosting;
using LightMesh.ControlPlane.Reports;

namespace LightMesh.Cli.Output;

/// <summary>
/// Prints a control plane's status (snapshot, held-back routes, every proxy per type), or the whole mesh's (every
/// controller and every proxy), as a table, JSON or YAML.
/// </summary>
public static class StatusOutput
{
    public static void Print(MeshStatus mesh, string output)
    {
        if (output is "json" or "yaml")
        {
            var node = JsonSerializer.SerializeToNode(mesh, JsonSerializerOptions.Web)!;
            if (output == "json")
            {
                Printer.Json([node], asList: false);
            }
            else
            {
                Printer.Yaml([node]);
            }

            return;
        }

        Printer.Line($"snapshot revision {mesh.Revision}, {mesh.Proxies.Count} prox{(mesh.Proxies.Count == 1 ? "y" : "ies")} on {mesh.Controllers.Count(c => c.State != ControllerState.Gone)} controller{(mesh.Controllers.Count(c => c.State != ControllerState.Gone) == 1 ? "" : "s")}");
        foreach (var problem in mesh.Problems)
        {
            Printer.Line($"held back: {problem}");
        }

        foreach (var gone in mesh.Controllers.Where(c => c.State == ControllerState.Gone))
        {
            Printer.Line($"gone: controller {gone.Name} ({gone.Xds}) stopped reporting at {gone.ReportedAt:u}; its proxies are unknown until they connect elsewhere");
        }

        Printer.Table(
            ["CONTROLLER", "NODE", "STREAM", "CONVERGED", "SERVICES", "LAST NACK"],
            mesh.Proxies.Select(p => (IReadOnlyList<string>)
            [
                p.Controller, p.NodeId, p.StreamId,
                p.Unknown ? $"unknown (had {p.ConvergedRevision.ToString(CultureInfo.InvariantCulture)})" : p.ConvergedRevision.ToString(CultureInfo.InvariantCulture),
                p.AllServices ? "all" : string.Join(",", p.Services),
                string.Join("; ", p.Nacks.Select(n => $"{n.Type} {n.Version}: {n.Error}")),
            ]));
    }

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

                if (report.NotBuilt is { } failure)
                {
                    Printer.Line($"not built: the control plane {failure}; the proxies keep revision {report.Revision}");
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
