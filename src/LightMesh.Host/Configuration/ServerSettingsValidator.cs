using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Checks at start the server settings that fill <typeparamref name="T"/>, all errors at once: every configured text read
/// as the table reads it, each wrong one named with the flag, key or variable it came from; every key that
/// <paramref name="sections"/> do not know; then, once every text reads, <paramref name="together"/>, a rule over several values.
/// </summary>
internal sealed class ServerSettingsValidator<T>(IConfigurationRoot configuration, IReadOnlyList<string> sections, Func<T, string?>? together = null) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = ServerSettings.All.Where(s => s.Target == typeof(T)).Select(Problem).OfType<string>().ToList();
        var read = errors.Count == 0;
        errors.AddRange(sections.SelectMany(section => ServerSettings.Unknown(configuration, section)));
        if (read && together?.Invoke(options) is { } problem)
        {
            errors.Add(problem);
        }

        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }

    private string? Problem(ServerSetting setting)
    {
        if (SettingText.Find(configuration, setting) is not { } text)
        {
            return configuration.GetSection(setting.Key).GetChildren().Any() ? $"{setting.Key}: must be one value, not a list or an object" : null;
        }

        return setting.Read(new ServerOptions(), text.Text).Problem is { } problem ? text.Problem(problem) : null;
    }
}
