using LightMesh.Client;
using LightMesh.Cli.Commands.Release;
using Spectre.Console;
using LightMesh.Releases.Requests;

namespace LightMesh.Cli.Commands;

/// <summary>
/// Settings of <c>apply</c>, <c>get</c> and <c>delete</c>: with <c>--server</c> (or <c>$LIGHTMESH_SERVER</c>) they go
/// through the controller's API, its token and roles; without, they talk to etcd directly, for bootstrapping on the etcd host.
/// </summary>
public class DocumentSettings : ControllerSettings
{
    /// <summary>What <c>--force</c> does, for the verbs that change documents.</summary>
    public const string ForceDescription = "Change what a running release manages anyway (its stable and canary subsets, its route's weights, its stable version): the release is paused first, with an event naming you and the change. Through a controller, an admin's token";

    /// <summary>How a write names its author and says whether it overrides running releases.</summary>
    public static WriteRequest Writer(bool force) => new() { Actor = ReleaseSettings.DefaultActor, Force = force };

    public bool UsesController => ServerUrl is not null;

    public override ValidationResult Validate()
    {
        if (Token is not null && !UsesController)
        {
            return ValidationResult.Error($"--token: needs --server or ${ControllerTarget.ServerVariable}; without a controller this verb talks to etcd directly");
        }

        return Etcd is not null && Server is not null
            ? ValidationResult.Error("--etcd, --server: give one: --server goes through the controller's API, --etcd to etcd directly")
            : base.Validate();
    }

    public DocumentClient CreateDocumentClient() => new(this.CreateControllerClient());
}
