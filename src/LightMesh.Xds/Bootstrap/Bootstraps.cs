using System.Globalization;
using System.Text.Json.Nodes;
using LightMesh.Core.Mesh;

namespace LightMesh.Xds.Bootstrap;

/// <summary>The bootstrap files that point a proxy at the control plane: Envoy's, and a proxyless gRPC client's.</summary>
public static class Bootstraps
{
    /// <summary>The name of the static cluster through which Envoy reaches the control plane.</summary>
    public const string ControlPlaneCluster = "lightmesh-xds";

    /// <summary>
    /// An Envoy bootstrap (proto3 JSON of <c>envoy.config.bootstrap.v3.Bootstrap</c>): the node id (a Node's name, so it
    /// gets that node's outbound listener), LDS and CDS over ADS, ADS over gRPC/HTTP2 to <paramref name="xdsHost"/>:<paramref name="xdsPort"/>,
    /// and the admin interface on 127.0.0.1 only. With <paramref name="token"/>, the ADS stream shows it as gRPC metadata
    /// (<c>initial_metadata</c>), as the control plane requires of every proxy unless anonymous proxies are allowed.
    /// </summary>
    public static JsonObject Envoy(string nodeId, string xdsHost, int xdsPort, int adminPort, string? token = null) =>
        Envoy(nodeId, [(xdsHost, xdsPort)], adminPort, token);

    /// <summary>
    /// As <see cref="Envoy(string, string, int, int, string?)"/>, with several controllers as the control plane's
    /// endpoints: Envoy holds its ADS stream to one, and opens it to another when that one goes away.
    /// </summary>
    public static JsonObject Envoy(string nodeId, IReadOnlyList<(string Host, int Port)> xds, int adminPort, string? token = null) => new()
    {
        ["node"] = new JsonObject { ["id"] = nodeId, ["cluster"] = "lightmesh" },
        ["dynamic_resources"] = new JsonObject
        {
            ["ads_config"] = new JsonObject
            {
                ["api_type"] = "GRPC",
                ["transport_api_version"] = "V3",
                ["grpc_services"] = new JsonArray(EnvoyGrpcService(token)),
                ["set_node_on_first_message_only"] = true,
            },
            ["lds_config"] = new JsonObject { ["ads"] = new JsonObject(), ["resource_api_version"] = "V3" },
            ["cds_config"] = new JsonObject { ["ads"] = new JsonObject(), ["resource_api_version"] = "V3" },
        },
        ["static_resources"] = new JsonObject
        {
            ["clusters"] = new JsonArray(new JsonObject
            {
                ["name"] = ControlPlaneCluster,
                ["type"] = "STATIC",
                ["connect_timeout"] = "1s",
                ["typed_extension_protocol_options"] = new JsonObject
                {
                    ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = new JsonObject
                    {
                        ["@type"] = "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        ["explicit_http_config"] = new JsonObject { ["http2_protocol_options"] = new JsonObject() },
                    },
                },
                ["load_assignment"] = new JsonObject
                {
                    ["cluster_name"] = ControlPlaneCluster,
                    ["endpoints"] = new JsonArray(new JsonObject
                    {
                        ["lb_endpoints"] = new JsonArray([.. xds.Select(s => (JsonNode)new JsonObject { ["endpoint"] = new JsonObject { ["address"] = SocketAddress(s.Host, s.Port) } })]),
                    }),
                },
            }),
        },
        ["admin"] = new JsonObject { ["address"] = SocketAddress("127.0.0.1", adminPort) },
    };

    /// <summary>
    /// The bootstrap a proxyless gRPC client reads from <c>GRPC_XDS_BOOTSTRAP</c>. A gRPC bootstrap cannot add call
    /// metadata, so <paramref name="token"/> goes in the node's metadata, which the first request carries.
    /// </summary>
    public static JsonObject Grpc(string nodeId, string xdsHost, int xdsPort, string? token = null) =>
        Grpc(nodeId, [(xdsHost, xdsPort)], token);

    /// <summary>
    /// As <see cref="Grpc(string, string, int, string?)"/>, with several controllers in <c>xds_servers</c>: LightMesh's
    /// <c>xds:///</c> client opens its stream to the next when one goes away.
    /// </summary>
    public static JsonObject Grpc(string nodeId, IReadOnlyList<(string Host, int Port)> xds, string? token = null) => new()
    {
        ["xds_servers"] = new JsonArray([.. xds.Select(s => (JsonNode)new JsonObject
        {
            ["server_uri"] = $"{s.Host}:{s.Port.ToString(CultureInfo.InvariantCulture)}",
            ["channel_creds"] = new JsonArray(new JsonObject { ["type"] = "insecure" }),
            ["server_features"] = new JsonArray("xds_v3"),
        })]),
        ["node"] = token is null
            ? new JsonObject { ["id"] = nodeId, ["cluster"] = "lightmesh", ["locality"] = new JsonObject() }
            : new JsonObject { ["id"] = nodeId, ["cluster"] = "lightmesh", ["locality"] = new JsonObject(), ["metadata"] = new JsonObject { [ProxyToken.MetadataKey] = token } },
    };

    private static JsonObject EnvoyGrpcService(string? token)
    {
        var service = new JsonObject { ["envoy_grpc"] = new JsonObject { ["cluster_name"] = ControlPlaneCluster } };
        if (token is not null)
        {
            service["initial_metadata"] = new JsonArray(new JsonObject { ["key"] = ProxyToken.MetadataKey, ["value"] = token });
        }

        return service;
    }

    private static JsonObject SocketAddress(string host, int port) =>
        new() { ["socket_address"] = new JsonObject { ["address"] = host, ["port_value"] = port } };
}
