using LightMesh.Cli.Api;
using Spectre.Console;

namespace LightMesh.Cli.Commands;

/// <summary>
/// Settings of <c>apply</c>, <c>get</c> and <c>delete</c>: with <c>--server</c> (or <c>$LIGHTMESH_SERVER</c>) they go
/// through the controller's API, its token and roles; without, they talk to etcd directly, for bootstrapping on the etcd host.
/// </summary>
public class DocumentSettings : ControllerSettings
{
    public bool UsesController => ServerUrl is not null;

    public override ValidationResult Validate()
    {
        if (Token is not null && !UsesController)
        {
            return ValidationResult.Error($"--token: needs --server or ${ServerVariable}; without a controller this verb talks to etcd directly");
        }

        return Etcd is not null && Server is not null
            ? ValidationResult.Error("--etcd, --server: give one: --server goes through the controller's API, --etcd to etcd directly")
            : base.Validate();
    }

    public DocumentClient CreateDocumentClient() => new(CreateControllerClient());
}
