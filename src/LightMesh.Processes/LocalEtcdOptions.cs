namespace LightMesh.Processes;

/// <summary>The TLS files of an etcd that serves https://: its certificate and key, and the CA its clients' certificates must chain to.</summary>
public sealed record LocalEtcdTls(string CertFile, string KeyFile, string ClientCaFile);

/// <summary>How to start one etcd member on 127.0.0.1: its name, data, URLs and cluster.</summary>
public sealed record LocalEtcdOptions
{
    public string Member { get; init; } = "lightmesh-demo";

    public required string DataDirectory { get; init; }

    /// <summary>Where clients connect: <c>http://127.0.0.1:PORT</c>, or <c>https://</c> with <see cref="Tls"/>.</summary>
    public required Uri ClientUrl { get; init; }

    public required Uri PeerUrl { get; init; }

    /// <summary>A plain-http listener for <c>/health</c> and <c>/metrics</c>; readiness is asked there when set, else on the client URL.</summary>
    public Uri? MetricsUrl { get; init; }

    /// <summary>Every member as <c>name=peer-url,...</c>; null: a cluster of this member alone.</summary>
    public string? InitialCluster { get; init; }

    public string? ClusterToken { get; init; }

    /// <summary>Serve https:// and ask every client for a certificate from the CA (<c>--client-cert-auth</c>).</summary>
    public LocalEtcdTls? Tls { get; init; }

    /// <summary>etcd's own <c>--log-level</c>; null leaves its default (info).</summary>
    public string? LogLevel { get; init; }

    public string? LogFile { get; init; }

    /// <summary>Zero kills it at once on dispose, as a crash would (tests); else SIGTERM first.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
