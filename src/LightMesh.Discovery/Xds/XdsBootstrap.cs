using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.Config.Core.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using LightMesh.Core.Mesh;

namespace LightMesh.Discovery.Xds;

/// <summary>
/// What a proxyless client reads from its bootstrap (<c>GRPC_XDS_BOOTSTRAP</c>, the JSON <c>lightmesh xds bootstrap</c>
/// prints): the control planes to speak ADS to, and the node it speaks as.
/// </summary>
public sealed record XdsBootstrap
{
    /// <summary>Every entry of <c>xds_servers</c>, in order, as http:// or https:// addresses: the client speaks to one at a time.</summary>
    public required IReadOnlyList<Uri> Servers { get; init; }

    public required Node Node { get; init; }

    /// <summary>
    /// The proxy token the bootstrap's node metadata holds, sent as gRPC metadata too (as Envoy sends it); the node
    /// metadata carries it for clients that cannot add call metadata. Null for a bootstrap without one.
    /// </summary>
    public Grpc.Core.Metadata? TokenHeaders =>
        Node.Metadata?.Fields.TryGetValue(ProxyToken.MetadataKey, out var token) == true && token.StringValue is { Length: > 0 } value
            ? new Grpc.Core.Metadata { { ProxyToken.MetadataKey, value } }
            : null;

    /// <summary><c>server_features</c> holds <c>ignore_resource_deletion</c>: a Listener or Cluster missing from a response is kept.</summary>
    public bool IgnoreResourceDeletion { get; init; }

    /// <summary>Reads a bootstrap document; on failure, every problem with its JSON path.</summary>
    public static (XdsBootstrap? Bootstrap, IReadOnlyList<string> Errors) Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            return (null, [$"not JSON: {e.Message}"]);
        }

        var errors = new List<string>();
        if (root is not JsonObject document)
        {
            return (null, ["the bootstrap must be a JSON object"]);
        }

        var features = new HashSet<string>(StringComparer.Ordinal);
        var servers = new List<Uri>();
        if (document["xds_servers"] is not JsonArray { Count: > 0 } list)
        {
            errors.Add("xds_servers: one server is required");
        }
        else
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (ReadServer(list[i], $"xds_servers[{i}]", errors, i == 0 ? features : []) is { } server)
                {
                    servers.Add(server);
                }
            }
        }

        var node = ReadNode(document["node"], errors);
        return errors.Count > 0
            ? (null, errors)
            : (new XdsBootstrap { Servers = servers, Node = node!, IgnoreResourceDeletion = features.Contains("ignore_resource_deletion") }, errors);
    }

    /// <summary>One <c>xds_servers</c> entry; the first's <c>server_features</c> go into <paramref name="features"/>.</summary>
    private static Uri? ReadServer(JsonNode? entry, string path, List<string> errors, HashSet<string> features)
    {
        if (entry is not JsonObject server)
        {
            errors.Add($"{path}: must be an object with server_uri and channel_creds");
            return null;
        }

        foreach (var feature in (server["server_features"] as JsonArray ?? []).OfType<JsonValue>())
        {
            features.Add(feature.ToString());
        }

        var credentials = (server["channel_creds"] as JsonArray ?? [])
            .Select(c => (c as JsonObject)?["type"]?.ToString())
            .FirstOrDefault(type => type is "insecure" or "tls");
        if (credentials is null)
        {
            errors.Add($"{path}.channel_creds: none of type insecure or tls");
        }

        var uri = server["server_uri"]?.ToString();
        if (string.IsNullOrEmpty(uri))
        {
            errors.Add($"{path}.server_uri: required (host:port)");
            return null;
        }

        var scheme = credentials == "tls" ? "https" : "http";
        var colon = uri.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(uri[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is 0 or > 65535
            || !Uri.TryCreate($"{scheme}://{uri}", UriKind.Absolute, out var address) || address.AbsolutePath != "/")
        {
            errors.Add($"{path}.server_uri: \"{uri}\" is not host:port");
            return null;
        }

        return address;
    }

    private static Node? ReadNode(JsonNode? value, List<string> errors)
    {
        if (value is not JsonObject node)
        {
            errors.Add("node: required, with an id");
            return null;
        }

        var result = new Node
        {
            Id = node["id"]?.ToString() ?? "",
            Cluster = node["cluster"]?.ToString() ?? "",
            UserAgentName = "LightMesh.Discovery (Grpc.Net.Client)",
            UserAgentVersion = typeof(XdsBootstrap).Assembly.GetName().Version?.ToString() ?? "",
            Locality = new Locality(),
        };
        if (result.Id.Length == 0)
        {
            errors.Add("node.id: required");
        }

        if (node["locality"] is JsonObject locality)
        {
            result.Locality = new Locality
            {
                Region = locality["region"]?.ToString() ?? "",
                Zone = locality["zone"]?.ToString() ?? "",
                SubZone = locality["sub_zone"]?.ToString() ?? "",
            };
        }

        if (node["metadata"] is JsonObject metadata)
        {
            try
            {
                result.Metadata = Struct.Parser.ParseJson(metadata.ToJsonString());
            }
            catch (InvalidProtocolBufferException e)
            {
                errors.Add($"node.metadata: {e.Message}");
            }
        }

        return result;
    }
}
