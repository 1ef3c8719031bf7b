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
}
