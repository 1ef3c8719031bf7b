namespace LightMesh.Completion;

/// <summary>A verb as shell completion sees it: its name, what it does, its sub-verbs and every option it takes.</summary>
/// <param name="Path">The verbs from the root to this one, space-separated ("release status"); empty for the root.</param>
public sealed record CompletionVerb(string Name, string Path, string Description, IReadOnlyList<CompletionVerb> Verbs, IReadOnlyList<CompletionOption> Options)
{
    /// <summary>This verb and every verb under it, parents before their children.</summary>
    public IEnumerable<CompletionVerb> All() => Verbs.SelectMany(v => v.All()).Prepend(this);

    /// <summary>The names (<c>-o</c>, <c>--output</c>) of the options that take a value, so the word after them is skipped.</summary>
    public IEnumerable<string> ValueOptionNames => Options.Where(o => o.TakesValue).SelectMany(o => o.Names);
}
