using System.ComponentModel;
using LightMesh.Core.Documents;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LightMesh.Cli.Commands;

/// <summary>Settings of verbs that name a kind and perhaps a document: <c>get KIND [NAME]</c>, <c>delete KIND NAME</c>.</summary>
public class KindSettings : DocumentSettings
{
    /// <summary>Every kind, with the short names it may be given by.</summary>
    public const string KindsHelp =
        "service (svc), node, virtualservice (vs), destinationrule (dr), analysistemplate (at), releaseworkflow (workflow, rw), "
        + "releasetrigger (trigger, rt), schedule, deliverywindow (window, dw) or releasegroupworkflow (groupworkflow, rgw)";

    private static readonly string[] KindNames = [.. DocumentKinds.All.SelectMany(DocumentKinds.NamesOf)];

    [CommandArgument(0, "<KIND>")]
    [Description(KindsHelp)]
    public string KindText { get; init; } = "";

    [CommandArgument(1, "[NAME]")]
    [Description("One document's name (metadata.name); all of the kind when left out")]
    public string? Name { get; init; }

    public DocumentKind Kind => DocumentKinds.TryParse(KindText, out var kind) ? kind : throw new InvalidOperationException("validated");

    public override ValidationResult Validate() =>
        DocumentKinds.TryParse(KindText, out _)
            ? base.Validate()
            : ValidationResult.Error($"KIND: \"{KindText}\" is not a kind{(Completion.UsageHints.Nearest(KindText, KindNames) is { } near ? $"; did you mean {near}?" : "")} (kinds: {KindsHelp})");
}
