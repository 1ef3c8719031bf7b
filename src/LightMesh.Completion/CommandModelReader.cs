using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace LightMesh.Completion;

/// <summary>
/// Reads the verbs and options a configuration sets up, from the command model Spectre.Console.Cli builds of it. The
/// library shows that model only to a help provider, so a second app with the same configuration is asked for its
/// root help with a provider that keeps the model and writes nothing.
/// </summary>
public static class CommandModelReader
{
    public static CompletionVerb Read(Action<IConfigurator> configure)
    {
        var capture = new Capture();
        var app = new CommandApp();
        app.Configure(config =>
        {
            configure(config);
            config.SetHelpProvider(capture);
        });
        app.Run(["--help"]);
        var model = capture.Model ?? throw new InvalidOperationException("the command model was not shown to the help provider");
        return new CompletionVerb(model.ApplicationName ?? "", "", "", Verbs(model.Commands, "", []), [CompletionOption.Help]);
    }

    // Options a branch declares may also be given after its sub-verbs, so a verb takes its own and its parents'.
    private static List<CompletionVerb> Verbs(IEnumerable<ICommandInfo> commands, string parentPath, IReadOnlyList<CompletionOption> inherited) =>
        commands.Where(c => !c.IsHidden).Select(command =>
        {
            var path = parentPath.Length == 0 ? command.Name : $"{parentPath} {command.Name}";
            var options = Merge(inherited, command.Parameters.OfType<ICommandOption>().Where(o => !o.IsHidden).Select(Option));
            return new CompletionVerb(command.Name, path, command.Description ?? "", Verbs(command.Commands, path, options), [.. options, CompletionOption.Help]);
        }).ToList();

    private static List<CompletionOption> Merge(IEnumerable<CompletionOption> inherited, IEnumerable<CompletionOption> own)
    {
        var options = inherited.ToList();
        options.AddRange(own.Where(o => !options.Any(known => known.Names.Intersect(o.Names).Any())));
        return options;
    }

    private static CompletionOption Option(ICommandOption option) => new(
        [.. option.ShortNames.Select(n => $"-{n}"), .. option.LongNames.Select(n => $"--{n}")],
        !option.IsFlag,
        option.Description ?? "");

    private sealed class Capture : IHelpProvider
    {
        public ICommandModel? Model { get; private set; }

        public IEnumerable<IRenderable> Write(ICommandModel model, ICommandInfo? command)
        {
            Model = model;
            return [];
        }
    }
}
