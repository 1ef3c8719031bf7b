using Microsoft.Extensions.Options;

namespace LightMesh.Discovery.Xds;

/// <summary>Checks <see cref="XdsClientOptions"/>; every error names its option.</summary>
public sealed class XdsClientOptionsValidator : IValidateOptions<XdsClientOptions>
{
    public ValidateOptionsResult Validate(string? name, XdsClientOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
