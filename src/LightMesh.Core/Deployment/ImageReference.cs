using System.Text.RegularExpressions;

namespace LightMesh.Core.Deployment;

/// <summary>
/// An image as Docker names it, <c>REPOSITORY[:TAG][@DIGEST]</c>, split where Docker splits it: the tag is after the
/// last ':' only when no '/' follows it, so a registry's port (<c>registry:5000/envoy</c>) stays in the repository;
/// without a tag or digest the tag is <c>latest</c>.
/// </summary>
public sealed partial record ImageReference(string Repository, string Tag, string? Digest)
{
    public const string DefaultTag = "latest";

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^sha256:[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();

    /// <summary>What to ask a registry for: the digest when there is one, else the tag.</summary>
    public string PullTag => Digest ?? Tag;

    /// <summary>True for a repository without a tag or digest (<c>ghcr.io/acme/checkout</c>, <c>localhost:5000/app</c>).</summary>
    public static bool IsRepository(string text) => text.Length <= 255 && RepositoryPattern().IsMatch(text);

    /// <summary>True for a tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-').</summary>
    public static bool IsTag(string text) => TagPattern().IsMatch(text);

    /// <summary>The reference <paramref name="text"/> names, or null with <paramref name="problem"/> saying why it names none.</summary>
    public static ImageReference? TryParse(string text, out string? problem)
    {
        problem = null;
        var (rest, digest) = text.LastIndexOf('@') is var at and >= 0 ? (text[..at], text[(at + 1)..]) : (text, null);
        if (digest is not null && !DigestPattern().IsMatch(digest))
        {
            problem = $"\"{text}\": the digest after '@' must be sha256: and 64 lowercase hex digits";
            return null;
        }

        var colon = rest.LastIndexOf(':');
        var (repository, tag) = colon > rest.LastIndexOf('/') ? (rest[..colon], rest[(colon + 1)..]) : (rest, null);
        if (!IsRepository(repository))
        {
            problem = $"\"{text}\": \"{repository}\" is not an image repository (lower-case path components, a registry may have a port: registry:5000/team/envoy)";
            return null;
        }

        if (tag is not null && !IsTag(tag))
        {
            problem = $"\"{text}\": \"{tag}\" is not an image tag (letters, digits, '_', '.', '-'; at most 128)";
            return null;
        }

        return new ImageReference(repository, tag ?? DefaultTag, digest);
    }

    public override string ToString() => $"{Repository}:{Tag}{(Digest is null ? "" : "@" + Digest)}";
}
