using System.Globalization;
using LightMesh.Core.Security;
using LightMesh.Host.Security;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Who may call the API (configuration section <c>LightMesh:Auth</c>): the bearer tokens it accepts, each stored as its
/// SHA-256 with a role; with none, the controller makes an initial admin token and writes it to <see cref="TokenFile"/>.
/// </summary>
public sealed record AuthOptions
{
    public const string Section = "LightMesh:Auth";

    /// <summary>Where the initial admin token is written, and where the CLI looks for a token by default.</summary>
    public const string DefaultTokenFile = "~/.lightmesh/token";

    public IReadOnlyList<TokenOptions> Tokens { get; init; } = [];

    /// <summary>Where the initial admin token is written when no token is configured; a leading <c>~/</c> is the home directory.</summary>
    public string TokenFile { get; init; } = DefaultTokenFile;

    /// <summary>The configuration keys this section knows, for naming one it does not.</summary>
    public static IReadOnlyList<string> Keys { get; } = [nameof(Tokens), nameof(TokenFile)];

    /// <summary>The keys of one token.</summary>
    public static IReadOnlyList<string> TokenKeys { get; } = [nameof(TokenOptions.Name), nameof(TokenOptions.Role), nameof(TokenOptions.Sha256)];

    /// <summary><see cref="TokenFile"/> as a full path.</summary>
    public string TokenFilePath => ExpandHome(TokenFile);

    /// <summary>A path with a leading <c>~/</c> resolved against the home directory ($HOME), made absolute.</summary>
    public static string ExpandHome(string path) => Path.GetFullPath(
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[1..].TrimStart('/'))
            : path);

    /// <summary>
    /// Every problem with these options, each naming its configuration key. <paramref name="tokenKey"/> gives the key of
    /// the Nth token as configured (its index, unless the configuration says otherwise). A hash that is wrong is never
    /// repeated in a message: it may be a token pasted in the wrong place.
    /// </summary>
    public IReadOnlyList<string> Validate(Func<int, string>? tokenKey = null)
    {
        tokenKey ??= i => i.ToString(CultureInfo.InvariantCulture);
        var errors = new List<string>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Tokens.Count; i++)
        {
            var token = Tokens[i];
            var key = $"{Section}:{nameof(Tokens)}:{tokenKey(i)}";
            if (string.IsNullOrWhiteSpace(token.Name))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Name)}: required (who holds the token, for the logs)");
            }
            else if (!names.TryAdd(token.Name, key))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Name)}: \"{token.Name}\" is also the name of {names[token.Name]}");
            }

            if (string.IsNullOrWhiteSpace(token.Role))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Role)}: required, one of {string.Join(", ", Roles.All)}");
            }
            else if (!Roles.All.Contains(token.Role, StringComparer.Ordinal))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Role)}: \"{token.Role}\" is not one of {string.Join(", ", Roles.All)}");
            }

            if (string.IsNullOrWhiteSpace(token.Sha256))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Sha256)}: required, the SHA-256 of the token in hex (printf %s \"$TOKEN\" | sha256sum)");
            }
            else if (!TokenHash.IsHex(token.Sha256))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Sha256)}: must be 64 hex digits, the SHA-256 of the token (printf %s \"$TOKEN\" | sha256sum), not the token");
            }
            else if (!hashes.TryAdd(token.Sha256, key))
            {
                errors.Add($"{key}:{nameof(TokenOptions.Sha256)}: the same hash as {hashes[token.Sha256]}: one token with two names");
            }
        }

        if (string.IsNullOrWhiteSpace(TokenFile))
        {
            errors.Add($"{Section}:{nameof(TokenFile)}: must not be empty (default {DefaultTokenFile})");
        }
        else if (TokenFile.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"{Section}:{nameof(TokenFile)}: \"{TokenFile}\" is not a path");
        }

        return errors;
    }
}
