namespace LightMesh.Host.Hooks;

/// <summary>
/// The CI webhooks (configuration section <c>LightMesh:Hooks</c>): each provider's secret, and the largest body taken.
/// A provider without a secret refuses every delivery.
/// </summary>
public sealed record HookOptions
{
    public const string Section = "LightMesh:Hooks";
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Kept well below Kestrel's own limit (about 28.6 MiB), so the answer to a large body is always ours.</summary>
    public const long LargestMaxBodyBytes = 16 * 1024 * 1024;

    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    public HmacHookOptions GitHub { get; init; } = new();

    public GitLabHookOptions GitLab { get; init; } = new();

    public HmacHookOptions Generic { get; init; } = new();

    /// <summary>The configuration keys this section knows, for naming one it does not.</summary>
    public static IReadOnlyList<string> Keys { get; } = [nameof(MaxBodyBytes), nameof(GitHub), nameof(GitLab), nameof(Generic)];

    /// <summary>
    /// The secret of <paramref name="source"/> and its configuration key; null when none is set (an empty value, an
    /// environment variable set to nothing, configures none, as if it were unset).
    /// </summary>
    public (string? Secret, string Key) SecretOf(HookSource source) =>
        source.SecretOf(this) is var (given, key) ? (string.IsNullOrEmpty(given) ? null : given, key) : default;

    /// <summary>Every problem with these options, each naming its configuration key; a secret is never repeated.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBodyBytes is < 1 or > LargestMaxBodyBytes)
        {
            errors.Add($"{Section}:{nameof(MaxBodyBytes)}: {MaxBodyBytes} must be 1..{LargestMaxBodyBytes} bytes (default {DefaultMaxBodyBytes})");
        }

        foreach (var source in HookSource.All)
        {
            var (given, key) = source.SecretOf(this);
            if (given is { Length: > 0 } && string.IsNullOrWhiteSpace(given))
            {
                errors.Add($"{key}: is only white space; leave it unset to refuse every delivery, or set the secret the provider signs with");
            }
        }

        return errors;
    }
}
