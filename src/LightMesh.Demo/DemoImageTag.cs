namespace LightMesh.Demo;

/// <summary>One image to make from the demo's root file system: its tag and the environment it adds (e.g. v3 with ERROR_RATE=0.5).</summary>
public sealed record DemoImageTag(string Tag)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
