using CsCheck;
using LightMesh.Core.Deployment;
using LightMesh.Core.Parsing;

namespace LightMesh.Core.Tests.Deployment;

/// <summary>
/// Image names split where Docker splits them: a registry's port stays in the repository, no tag means latest, a digest
/// is kept. A failing generated case prints CsCheck's seed; set <c>CsCheck_Seed</c> to replay it.
/// </summary>
public sealed class ImageReferenceTests
{
    private static readonly Gen<string> Component = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 8].Select(c => new string(c));
    private static readonly Gen<string> Repository = Gen.Select(
        Component.Array[1, 3], Gen.Int[-1, 65535], (parts, port) => port < 0 ? string.Join('/', parts) : $"{parts[0]}:{port}/{string.Join('/', parts)}");
    private static readonly Gen<string> Tag = Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"], Gen.Char["abcxyzABC0189_.-"].Array[0, 20], (first, rest) => first + new string(rest));
    private static readonly Gen<string> Digest = Gen.Char["0123456789abcdef"].Array[64].Select(hex => "sha256:" + new string(hex));

    [Theory]
    [InlineData("envoyproxy/envoy:v1.31.0", "envoyproxy/envoy", "v1.31.0", null)]
    [InlineData("envoyproxy/envoy", "envoyproxy/envoy", "latest", null)]
    [InlineData("registry:5000/envoy", "registry:5000/envoy", "latest", null)]
    [InlineData("registry:5000/team/envoy:1.2", "registry:5000/team/envoy", "1.2", null)]
    [InlineData("envoy@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "envoy", "latest", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Splits_AsDockerDoes(string text, string repository, string tag, string? digest)
    {
        var reference = ImageReference.TryParse(text, out var problem);

        Assert.Null(problem);
        Assert.Equal(new ImageReference(repository, tag, digest), reference);
    }

    [Theory]
    [InlineData("Envoy", "\"Envoy\" is not an image repository")]
    [InlineData("envoy:", "\"\" is not an image tag")]
    [InlineData("envoy:-v1", "\"-v1\" is not an image tag")]
    [InlineData("envoy@sha256:abc", "the digest after '@' must be sha256:")]
    [InlineData("", "\"\" is not an image repository")]
    [InlineData("registry:5000/", "is not an image repository")]
    public void RefusesWhatIsNoImage_SayingWhy(string text, string error)
    {
        Assert.Null(ImageReference.TryParse(text, out var problem));
        Assert.Contains(error, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryWrittenReference_ReadsBackTheSame() =>
        Gen.Select(Repository, Tag.Null(), Digest.Null()).Sample((repository, tag, digest) =>
        {
            var text = repository + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest);
            var reference = ImageReference.TryParse(text, out var problem);
            return problem is null && reference == new ImageReference(repository, tag ?? ImageReference.DefaultTag, digest)
                && ImageReference.TryParse(reference.ToString(), out _) == reference;
        });

    [Fact]
    public void NodeSidecarImage_ThatIsNoImage_IsRefusedNamingItsField()
    {
        var parsed = DocumentParser.Parse("""
            apiVersion: lightmesh.io/v1
            kind: Node
            metadata: {name: node-1}
            spec:
              address: 10.0.0.1
              sidecar: {image: "Envoy Proxy", adminPort: 15000}
            """, "nodes.yaml");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("spec.sidecar.image", error.Path);
        Assert.Contains("\"Envoy Proxy\" is not an image repository", error.Message, StringComparison.Ordinal);
    }
}
