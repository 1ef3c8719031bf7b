using LightMesh.Core.Documents;

namespace LightMesh.Etcd;

/// <summary>
/// Every key LightMesh writes, in one place. Under the prefix (default <c>/lightmesh/</c>):
/// <c>services/{name}</c>, <c>nodes/{name}</c>, <c>virtualservices/{name}</c>, <c>destinationrules/{name}</c>
/// (documents, JSON), and <c>instances/{service}/{id}</c> (live instances, JSON, each under a lease).
/// </summary>
public sealed class KeyLayout(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>The folder holding every document of <paramref name="kind"/>.</summary>
    public string Documents(DocumentKind kind) => $"{Prefix}{DocumentKinds.PluralOf(kind)}/";

    public string Document(DocumentKind kind, string name) => $"{Documents(kind)}{name}";

    /// <summary>The folder holding the instances of every service.</summary>
    public string AllInstances => $"{Prefix}instances/";

    public string Instances(string service) => $"{AllInstances}{service}/";

    public string Instance(string service, string id) => $"{Instances(service)}{id}";

    /// <summary>Which document a key holds, if it is a document key under this prefix.</summary>
    public bool TryReadDocumentKey(string key, out DocumentKind kind, out string name)
    {
        foreach (var candidate in DocumentKinds.All)
        {
            var folder = Documents(candidate);
            if (key.StartsWith(folder, StringComparison.Ordinal) && key.Length > folder.Length && !key.AsSpan(folder.Length).Contains('/'))
            {
                kind = candidate;
                name = key[folder.Length..];
                return true;
            }
        }

        kind = default;
        name = "";
        return false;
    }

    public bool IsInstanceKey(string key) => key.StartsWith(AllInstances, StringComparison.Ordinal);
}
