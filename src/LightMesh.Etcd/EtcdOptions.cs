namespace LightMesh.Etcd;

/// <summary>Where etcd is and how LightMesh uses it.</summary>
public sealed record EtcdOptions
{
    public const string DefaultEndpoints = "http://127.0.0.1:2379";
    public const string DefaultPrefix = "/lightmesh/";

    /// <summary>Comma-separated client URLs, e.g. <c>http://10.0.0.1:2379,http://10.0.0.2:2379</c>.</summary>
    public string Endpoints { get; init; } = DefaultEndpoints;

    /// <summary>The key prefix every LightMesh key lives under; ends with '/'.</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Deadline of each unary call to etcd.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Returns why the options cannot work, naming the setting, or null.</summary>
    public string? Check()
    {
        if (!Prefix.StartsWith('/') || !Prefix.EndsWith('/'))
        {
            return $"prefix \"{Prefix}\" must start and end with '/'";
        }

        foreach (var endpoint in Endpoints.Split(','))
        {
            if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return $"etcd endpoint \"{endpoint}\" must be an http:// or https:// URL";
            }
        }

        return RequestTimeout <= TimeSpan.Zero ? "request timeout must be positive" : null;
    }
}
