using Microsoft.Extensions.Options;

namespace LightMesh.Demo.Service;

/// <summary>Reports every environment variable of the demo that could not be read.</summary>
internal sealed class DemoOptionsValidator : IValidateOptions<DemoOptions>
{
    public ValidateOptionsResult Validate(string? name, DemoOptions options) =>
        options.Problems.Count > 0 ? ValidateOptionsResult.Fail(options.Problems) : ValidateOptionsResult.Success;
}
