using LightMesh.Releases.Requests;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// The start form as posted. <see cref="Key"/> is made when the form is shown, and is the start's idempotency key: posting
/// the same form twice (a double click, a reload) starts one release.
/// </summary>
public sealed record StartForm
{
    public string Service { get; init; } = "";
    public string Version { get; init; } = "";
    public string Workflow { get; init; } = "canary";
    public string Args { get; init; } = "";
    public bool Supersede { get; init; }
    public string Key { get; init; } = Guid.NewGuid().ToString("N");

    /// <summary>The start this form asks for, with <paramref name="actor"/>; or every problem with what was typed, each naming its field.</summary>
    public (StartRequest? Request, IReadOnlyList<string> Errors) ToRequest(string actor)
    {
        var errors = new List<string>();
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = Args.Split('\n').Select(l => l.Trim()).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            if (lines[i].Split('=', 2) is not [{ Length: > 0 } name, var value])
            {
                errors.Add($"args: line {i + 1}, \"{lines[i]}\", must be KEY=VALUE");
            }
            else if (!args.TryAdd(name.Trim(), value.Trim()))
            {
                errors.Add($"args: \"{name.Trim()}\" is given more than once");
            }
        }

        errors.AddRange(new[] { ("service", Service), ("version", Version), ("workflow", Workflow) }.Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => $"{f.Item1}: required"));
        if (Key.Length is 0 or > 200)
        {
            errors.Add("key: the form's key is missing; reload the form");
        }

        return errors.Count > 0
            ? (null, errors)
            : (new StartRequest
            {
                Service = Service.Trim(), Version = Version.Trim(), Workflow = Workflow.Trim(), Args = args, Actor = actor, Supersede = Supersede,
                Id = ReleaseService.IdFor(Service.Trim(), Version.Trim(), $"console:{Key}"),
            }, []);
    }
}
