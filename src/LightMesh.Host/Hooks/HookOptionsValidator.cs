using LightMesh.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Hooks;

/// <summary>
/// Checks <see cref="HookOptions"/> at start: every error at once, each naming its configuration key, including a key the
/// section does not know (a misspelt <c>GitHub:Secrt</c> would otherwise mean "no secret" and every delivery refused).
/// </summary>
public sealed class HookOptionsValidator(IConfiguration configuration) : IValidateOptions<HookOptions>
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ProviderKeys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(HookOptions.GitHub)] = [nameof(HmacHookOptions.Secret)],
        [nameof(HookOptions.GitLab)] = [nameof(GitLabHookOptions.Token)],
        [nameof(HookOptions.Generic)] = [nameof(HmacHookOptions.Secret)],
    };

    public ValidateOptionsResult Validate(string? name, HookOptions options)
    {
        var section = configuration.GetSection(HookOptions.Section);
        var errors = options.Validate().ToList();
        errors.AddRange(UnknownKeys.In(section, HookOptions.Keys));
        foreach (var (provider, keys) in ProviderKeys)
        {
            errors.AddRange(UnknownKeys.In(section.GetSection(provider), keys));
        }

        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
