using System.Text.RegularExpressions;

namespace LightMesh.Demo;

/// <summary>What to build: the images <c>Repository:TAG</c> of the demo service in the checkout at <see cref="RepositoryRoot"/>.</summary>
public sealed partial record DemoImageRequest(string RepositoryRoot, IReadOnlyList<DemoImageTag> Tags)
{
    public const string DefaultRepository = "lightmesh-demo";

    /// <summary>The image repository; tests use their own so as not to replace a user's <c>lightmesh-demo</c> images.</summary>
    public string Repository { get; init; } = DefaultRepository;

    /// <summary>The .NET installation the image carries; null for the one this process runs on (<see cref="Demo.DotnetRoot.Find()"/>).</summary>
    public string? DotnetRoot { get; init; }

    /// <summary>Everything wrong with the request, each naming its field; empty when it can be built.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!RepositoryName().IsMatch(Repository))
        {
            errors.Add($"repository: \"{Repository}\" must be lower-case letters, digits and . _ - / separators, e.g. lightmesh-demo");
        }

        if (Tags.Count == 0)
        {
            errors.Add("tags: at least one tag is needed");
        }

        for (var i = 0; i < Tags.Count; i++)
        {
            if (!TagName().IsMatch(Tags[i].Tag))
            {
                errors.Add($"tags[{i}]: \"{Tags[i].Tag}\" must be letters, digits, _ . - (not first: . -), at most 128 characters");
            }
        }

        errors.AddRange(Tags.GroupBy(t => t.Tag, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"tags: \"{g.Key}\" is given {g.Count()} times"));
        return errors;
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagName();
}
