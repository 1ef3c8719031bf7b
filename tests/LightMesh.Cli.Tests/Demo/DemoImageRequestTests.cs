using LightMesh.Demo;
using LightMesh.Core;

namespace LightMesh.Cli.Tests.Demo;

public sealed class DemoImageRequestTests
{
    [Fact]
    public void Validate_BadRepositoryTagsAndDuplicates_ReportsEveryOne()
    {
        var request = new DemoImageRequest("/repo", [new("v1"), new(".hidden"), new("v1")]) { Repository = "LightMesh Demo" };

        Assert.Equal(
            [
                "repository: \"LightMesh Demo\" must be lower-case letters, digits and . _ - / separators, e.g. lightmesh-demo",
                "tags[1]: \".hidden\" must be letters, digits, _ . - (not first: . -), at most 128 characters",
                "tags: \"v1\" is given 2 times",
            ],
            request.Validate());
    }

    [Fact]
    public void Validate_DefaultRepositoryAndPlainTags_IsEmpty() =>
        Assert.Empty(new DemoImageRequest("/repo", [new("v1"), new("v2"), new("v3")]).Validate());

    [Fact]
    public void Describe_Result_IsTheOneLineTheDemoPrints() =>
        Assert.Equal(
            "lightmesh-demo:v1,v2,v3 built (118 MB, 9.4 s)",
            new DemoImageResult("lightmesh-demo", ["v1", "v2", "v3"], 118_234_567, TimeSpan.FromMilliseconds(9_412)).Describe());

    [Fact]
    public void RepositoryRootFind_FromBelowTheCheckout_FindsIt()
    {
        var root = Directory.CreateTempSubdirectory("lightmesh-root-");
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, RepositoryRoot.SolutionFile), "");
            var below = Directory.CreateDirectory(Path.Combine(root.FullName, "src", "deep"));

            Assert.Equal(root.FullName, RepositoryRoot.Find(below.FullName));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void RepositoryRootFind_OutsideACheckout_FailsSayingWhere()
    {
        var e = Assert.Throws<LightMeshException>(() => RepositoryRoot.Find("/"));
        Assert.StartsWith($"no {RepositoryRoot.SolutionFile} in / or any directory above it", e.Message, StringComparison.Ordinal);
    }
}
