using System.Globalization;
using LightMesh.Core.Mesh;
using Microsoft.Extensions.Options;

namespace LightMesh.Discovery.Registration;

/// <summary>Checks <see cref="RegistrationOptions"/> at start; every error names the option and its environment variable.</summary>
public sealed class RegistrationOptionsValidator : IValidateOptions<RegistrationOptions>
{
    private const string PlaceholderAddress = "127.0.0.1";

    public ValidateOptionsResult Validate(string? name, RegistrationOptions options) =>
        Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    /// <summary>Every problem with <paramref name="options"/>, each naming the option and where it can be set.</summary>
    public static IReadOnlyList<string> Problems(RegistrationOptions options)
    {
        var errors = new List<string>(options.EnvironmentProblems);
        if (string.IsNullOrWhiteSpace(options.Service))
        {
            errors.Add(Required(nameof(RegistrationOptions.Service), RegistrationEnvironment.Service, "the Service this app is an instance of"));
        }

        if (string.IsNullOrWhiteSpace(options.Version))
        {
            errors.Add(Required(nameof(RegistrationOptions.Version), RegistrationEnvironment.Version, "the version this instance runs, e.g. v2"));
        }

        // The instance rules live in one place (InstanceValidator); here its fields are named as options.
        var instance = new Instance
        {
            Service = string.IsNullOrWhiteSpace(options.Service) ? "placeholder" : options.Service,
            Version = string.IsNullOrWhiteSpace(options.Version) ? "placeholder" : options.Version,
            Id = options.Id ?? "placeholder",
            Address = options.Address ?? PlaceholderAddress,
            Port = options.Port is null or 0 ? 1 : options.Port.Value,
            Node = options.Node,
            Labels = options.Labels.ToDictionary(StringComparer.Ordinal),
        };
        foreach (var problem in InstanceValidator.Validate(instance))
        {
            var field = problem[..problem.IndexOf(':', StringComparison.Ordinal)];
            var detail = problem[(field.Length + 1)..].Trim();
            var key = field switch
            {
                "service" => Key(nameof(RegistrationOptions.Service), RegistrationEnvironment.Service),
                "version" => Key(nameof(RegistrationOptions.Version), RegistrationEnvironment.Version),
                "address" => Key(nameof(RegistrationOptions.Address), RegistrationEnvironment.Address),
                "port" => Key(nameof(RegistrationOptions.Port), $"{RegistrationEnvironment.Port} or {RegistrationEnvironment.PlainPort}"),
                "node" => Key(nameof(RegistrationOptions.Node), RegistrationEnvironment.Node),
                "id" => nameof(RegistrationOptions.Id),
                _ when field.StartsWith("labels.", StringComparison.Ordinal) => $"{nameof(RegistrationOptions.Labels)}[{field["labels.".Length..]}]",
                _ => field,
            };
            errors.Add($"{key}: {detail}");
        }

        if (options.Ttl < TimeSpan.FromSeconds(2))
        {
            errors.Add($"{Key(nameof(RegistrationOptions.Ttl), RegistrationEnvironment.Ttl)}: {Seconds(options.Ttl)} must be at least 2s");
        }

        if (options.DrainDelay < TimeSpan.Zero)
        {
            errors.Add($"{Key(nameof(RegistrationOptions.DrainDelay), RegistrationEnvironment.DrainDelay)}: {Seconds(options.DrainDelay)} must not be negative");
        }

        if (options.EtcdOptions.Check() is { } etcdProblem)
        {
            var key = etcdProblem.StartsWith("prefix", StringComparison.Ordinal)
                ? Key(nameof(RegistrationOptions.Prefix), RegistrationEnvironment.Prefix)
                : Key(nameof(RegistrationOptions.Etcd), RegistrationEnvironment.Etcd);
            errors.Add($"{key}: {etcdProblem}");
        }

        return errors;
    }

    private static string Seconds(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds}s");

    private static string Key(string option, string variable) => $"{option} ({variable})";

    private static string Required(string option, string variable, string what) =>
        $"{Key(option, variable)}: required, {what}; set {variable} or {nameof(RegistrationOptions)}.{option}";
}
