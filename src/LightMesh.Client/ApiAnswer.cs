using System.Net;

namespace LightMesh.Client;

/// <summary>What the controller's API answered: the value on success, else the HTTP status and every error the controller gave.</summary>
public sealed record ApiAnswer<T>(HttpStatusCode Status, T? Value, IReadOnlyList<string> Errors)
    where T : class
{
    public bool Succeeded => Value is not null;
}
