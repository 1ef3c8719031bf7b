using Envoy.Config.Core.V3;

namespace LightMesh.Xds.Translation;

/// <summary>Config sources: everything a proxy discovers comes over its one ADS stream.</summary>
internal static class Sources
{
    public static ConfigSource Ads() => new() { Ads = new AggregatedConfigSource(), ResourceApiVersion = ApiVersion.V3 };
}
