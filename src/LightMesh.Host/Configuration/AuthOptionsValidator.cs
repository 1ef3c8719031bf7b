using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Checks <see cref="AuthOptions"/> at start: every error at once, each naming its configuration key, including a key
/// the section does not know (a misspelt <c>Tokens</c> would otherwise mean "no tokens" and an initial admin token).
/// </summary>
public sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var section = configuration.GetSection(AuthOptions.Section);
        var tokens = section.GetSection(nameof(AuthOptions.Tokens)).GetChildren().ToList();

        // The binder fills the list in the order of the configured keys; name each token by its key when they line up.
        var errors = options.Validate(i => tokens.Count == options.Tokens.Count ? tokens[i].Key : i.ToString(CultureInfo.InvariantCulture)).ToList();
        errors.AddRange(UnknownKeys.In(section, AuthOptions.Keys));
        foreach (var token in tokens)
        {
            if (!int.TryParse(token.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                errors.Add($"{token.Path}: a token's key is its index (0, 1, ...)");
            }

            errors.AddRange(UnknownKeys.In(token, AuthOptions.TokenKeys));
        }

        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
