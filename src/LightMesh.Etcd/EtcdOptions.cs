namespace LightMesh.Etcd;

/// <summary>Where etcd is and how LightMesh uses it.</summary>
public sealed record EtcdOptions
{
    public const string DefaultEndpoints = "http://127.0.0.1:2379";
    public const string DefaultPrefix = "/lightmesh/";

    /// <summary>
    /// Comma-separated client URLs, e.g. <c>http://10.0.0.1:2379,http://10.0.0.2:2379</c>: every member of the cluster.
    /// Calls go to one member until it fails one, then to the next that has not failed lately; a failed read (or a write
    /// that never reached etcd) is made again there.
    /// </summary>
    public string Endpoints { get; init; } = DefaultEndpoints;

    /// <summary>The endpoints, one URL each, in the order given.</summary>
    public IReadOnlyList<string> EndpointList => [.. Endpoints.Split(',').Select(e => e.Trim())];

    /// <summary>The key prefix every LightMesh key lives under; ends with '/'.</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Deadline of each unary call to etcd.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a connection to a member is pinged (HTTP/2 PING) while it is open; a member that does not answer within
    /// <see cref="RequestTimeout"/> is given up, so a watch or keep-alive on a silently dead member moves to another.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(10);

    public const int DefaultMaxMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// The largest answer (bytes) the client accepts from etcd. gRPC's own default, 4 MiB, is smaller than what some
    /// reads return (a page of releases can hold several values of up to etcd's 1.5 MiB request limit each).
    /// </summary>
    public int MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>The etcd user to authenticate as (etcd's own authentication); null for an etcd without it, or one that takes the client certificate's name.</summary>
    public string? Username { get; init; }

    /// <summary>The user's password. Never logged, never shown by <see cref="ToString"/>.</summary>
    public string? Password { get; init; }

    /// <summary>A file holding the user's password (its first line), read when connecting; instead of <see cref="Password"/>.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The CA certificates (PEM) that etcd's server certificate must chain to; null trusts the machine's store.</summary>
    public string? CaFile { get; init; }

    /// <summary>A client certificate (PEM) for an etcd that asks for one (<c>--client-cert-auth</c>), with <see cref="KeyFile"/>.</summary>
    public string? CertFile { get; init; }

    /// <summary>The client certificate's private key (PEM).</summary>
    public string? KeyFile { get; init; }

    /// <summary>Whether any endpoint is https://: the connection uses TLS.</summary>
    public bool UsesTls => Endpoints.Split(',').Any(e => e.Trim().StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Where etcd is, and as whom; never the password.</summary>
    public override string ToString() => $"etcd at {Endpoints} (prefix {Prefix}{(Username is null ? "" : $", user {Username}")})";

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

        if (UsesTls && Endpoints.Split(',').Any(e => !e.Trim().StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            return $"etcd endpoints \"{Endpoints}\" mix http:// and https://; use one";
        }

        if (!UsesTls && (CaFile ?? CertFile ?? KeyFile) is not null)
        {
            return "a CA, certificate or key file for etcd needs https:// endpoints";
        }

        if ((CertFile is null) != (KeyFile is null))
        {
            return "an etcd client certificate needs both its certificate file and its key file";
        }

        if (Password is not null && PasswordFile is not null)
        {
            return "give etcd's password or a file holding it, not both";
        }

        if (Username is null && (Password ?? PasswordFile) is not null)
        {
            return "an etcd password needs the user it belongs to";
        }

        if (Username is not null && Password is null && PasswordFile is null)
        {
            return $"etcd user {Username} needs a password (or its file)";
        }

        if (MaxMessageSize < 1024 * 1024)
        {
            return $"maximum message size {MaxMessageSize} must be at least 1 MiB (1048576 bytes)";
        }

        if (KeepAliveInterval < TimeSpan.FromSeconds(1))
        {
            return $"keep-alive interval {KeepAliveInterval} must be at least 1 s";
        }

        return RequestTimeout <= TimeSpan.Zero ? "request timeout must be positive" : null;
    }
}
