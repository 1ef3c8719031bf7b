namespace LightMesh.Analysis;

/// <summary>Credentials for a Prometheus behind authentication: a bearer token, or a user and password.</summary>
public sealed record PrometheusAuth(string? BearerToken = null, string? Username = null, string? Password = null);
