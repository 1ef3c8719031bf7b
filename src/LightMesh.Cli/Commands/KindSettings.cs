using System.ComponentModel;
using LightMesh.Core.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>Settings of verbs that name a kind and perhaps a document: <c>get KIND [NAME]</c>, <c>delete KIND NAME</c>.</summary>
public class KindSettings : DocumentSettings
{
    [CommandArgument(0, "<KIND>")]
    [Description("service, node, virtualservice (vs) or destinationrule (dr)")]
    public string KindText { get; init; } = "";

    [CommandArgument(1, "[NAME]")]
    public string? Name { get; init; }

    public DocumentKind Kind => DocumentKinds.TryParse(KindText, out var kind) ? kind : throw new InvalidOperationException("validated");

    public override ValidationResult Validate() =>
        DocumentKinds.TryParse(KindText, out _)
            ? base.Validate()
            : ValidationResult.Error($"KIND: \"{KindText}\" is not a kind (use service, node, virtualservice/vs, destinationrule/dr, analysistemplate/at, releaseworkflow/workflow or releasetrigger/trigger)");
}
