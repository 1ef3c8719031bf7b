using Microsoft.Extensions.Options;

namespace LightMesh.Host.Configuration;

/// <summary>
/// Makes the options <typeparamref name="T"/> from a record bound whole (<see cref="ServerSettings.Bind"/>) rather than
/// from <c>new T()</c> set property by property, which an immutable record does not allow; configured and validated as
/// any options are, so <c>ValidateOnStart</c> and every <see cref="IValidateOptions{T}"/> apply.
/// </summary>
internal sealed class RecordOptionsFactory<T>(T value, IEnumerable<IConfigureOptions<T>> setups, IEnumerable<IPostConfigureOptions<T>> postConfigures, IEnumerable<IValidateOptions<T>> validations)
    : OptionsFactory<T>(setups, postConfigures, validations)
    where T : class
{
    protected override T CreateInstance(string name) => value;
}
