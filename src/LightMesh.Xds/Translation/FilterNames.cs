namespace LightMesh.Xds.Translation;

/// <summary>The conventional names of the filters we configure.</summary>
public static class FilterNames
{
    public const string HttpConnectionManager = "envoy.filters.network.http_connection_manager";
    public const string Fault = "envoy.filters.http.fault";
    public const string Router = "envoy.filters.http.router";
}
