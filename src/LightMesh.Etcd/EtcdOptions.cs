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

    public const int DefaultMaxMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// The largest answer (bytes) the client accepts from etcd. gRPC's own default, 4 MiB, is smaller than what some
    /// reads return (a page of releases can hold several values of up to etcd's 1.5 MiB request limit each).
    /// </summary>
    public int MaxMessageSize { get; init; } = DefaultMaxMessageSize;

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

        if (MaxMessageSize < 1024 * 1024)
        {
            return $"maximum message size {MaxMessageSize} must be at least 1 MiB (1048576 bytes)";
        }

        return RequestTimeout <= TimeSpan.Zero ? "request timeout must be positive" : null;
    }
}
