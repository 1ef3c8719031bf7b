using System.Globalization;

namespace LightMesh.Demo;

/// <summary>The images made: their repository and tags, the size of one (they share their only layer), and how long it all took.</summary>
public sealed record DemoImageResult(string Repository, IReadOnlyList<string> Tags, long SizeBytes, TimeSpan Elapsed)
{
    /// <summary>One line for the user, e.g. <c>lightmesh-demo:v1,v2,v3 built (118 MB, 9.4 s)</c>; MB as Docker counts them (10^6 bytes).</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Repository}:{string.Join(',', Tags)} built ({SizeBytes / 1_000_000.0:0} MB, {Elapsed.TotalSeconds:0.0} s)");
}
