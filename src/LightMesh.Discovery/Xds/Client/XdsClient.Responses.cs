using Envoy.Service.Discovery.V3;
using LightMesh.Discovery.Telemetry;
using LightMesh.Discovery.Xds.Resources;
using LightMesh.Xds.Translation;

namespace LightMesh.Discovery.Xds.Client;

internal sealed partial class XdsClient
{
    /// <summary>
    /// Takes in a response (gRFC A46): valid resources are used, invalid ones keep their last good version, and the
    /// response is ACKed (its version becomes ours) or, if anything was invalid, NACKed with every problem (our
    /// version stays the last accepted one). A Listener or Cluster that was held and is missing from a response is deleted.
    /// </summary>
    private void OnResponse(AdsStream stream, DiscoveryResponse response)
    {
        if (!ReferenceEquals(stream, _stream))
        {
            return;
        }

        stream.Received = true;
        _reconnectDelay = _options.InitialReconnectDelay;
        if (!_types.TryGetValue(response.TypeUrl, out var type))
        {
            Log.XdsUnknownType(_logger, response.TypeUrl);
            return;
        }

        var shortName = TypeUrls.ShortName(type.TypeUrl);
        type.Nonce = response.Nonce;
        type.Dirty = true;
        var errors = new List<string>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < response.Resources.Count; i++)
        {
            var packed = response.Resources[i];
            var decoded = ResourceDecoder.Decode(type.TypeUrl, packed);
            if (decoded.Name is null)
            {
                errors.Add($"{shortName} resources[{i}]: {string.Join("; ", decoded.Errors)}");
                continue;
            }

            if (!named.Add(decoded.Name))
            {
                errors.Add($"{shortName} {decoded.Name}: sent twice in one response");
                continue;
            }

            type.Entries.TryGetValue(decoded.Name, out var entry);
            if (decoded.Errors.Count > 0)
            {
                var error = $"{shortName} {decoded.Name}: {string.Join("; ", decoded.Errors)}";
                errors.Add(error);
                if (entry is not null)
                {
                    entry.Error = error;
                    Notify(type, entry, error);
                }

                continue;
            }

            if (entry is null)
            {
                continue; // not (or no longer) asked for
            }

            entry.Error = null;
            if (entry.Raw is not null && entry.Raw.Equals(packed.Value))
            {
                continue; // unchanged: a resend, or another resource of the type changed
            }

            entry.Resource = decoded.Resource;
            entry.Raw = packed.Value;
            entry.DoesNotExist = false;
            Notify(type, entry);
        }

        if (TypeUrls.IsStateOfTheWorldComplete(type.TypeUrl) && !_bootstrap.IgnoreResourceDeletion)
        {
            // Only what was held: a response may answer an older subscription that did not name a new resource yet.
            foreach (var entry in type.Entries.Values.Where(e => e.Resource is not null && !named.Contains(e.Name)).ToList())
            {
                entry.Resource = null;
                entry.Raw = null;
                entry.DoesNotExist = true;
                Log.XdsResourceDeleted(_logger, shortName, entry.Name);
                Notify(type, entry);
            }
        }

        if (errors.Count == 0)
        {
            type.Version = response.VersionInfo;
            Log.XdsAccepted(_logger, shortName, response.VersionInfo, response.Resources.Count);
        }
        else
        {
            var message = string.Join("\n", errors);
            type.PendingNack = new Google.Rpc.Status { Code = (int)Grpc.Core.StatusCode.InvalidArgument, Message = message };
            Log.XdsRejected(_logger, shortName, response.VersionInfo, type.Version, message);
        }
    }
}
