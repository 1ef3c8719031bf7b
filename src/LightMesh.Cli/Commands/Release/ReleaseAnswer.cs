using System.Net;

namespace LightMesh.Cli.Commands.Release;

/// <summary>What the release API answered: the value on success, else the HTTP status and every error the controller gave.</summary>
public sealed record ReleaseAnswer<T>(HttpStatusCode Status, T? Value, IReadOnlyList<string> Errors)
    where T : class
{
    public bool Succeeded => Value is not null;
}
