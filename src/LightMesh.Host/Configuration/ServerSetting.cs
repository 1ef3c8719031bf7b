namespace LightMesh.Host.Configuration;

/// <summary>
/// One setting of <c>lightmesh server</c>: its flag, its configuration key, how its text is read into
/// <see cref="ServerOptions"/>, and its default, which is whatever the options records hold when nothing sets it.
/// </summary>
public sealed record ServerSetting
{
    /// <summary>The command-line flag, e.g. <c>--listen</c>.</summary>
    public required string Flag { get; init; }

    /// <summary>The full configuration key, e.g. <c>LightMesh:Server:Listen</c>; in the environment <c>LightMesh__Server__Listen</c>.</summary>
    public required string Key { get; init; }

    /// <summary>What the setting is for, one phrase, for <c>--help</c>.</summary>
    public required string Help { get; init; }

    /// <summary>The default as a flag would give it, or how it is made (<c>host:pid</c>).</summary>
    public required string Default { get; init; }

    /// <summary>
    /// The options record the setting fills (<see cref="ControllerOptions"/>, <c>ReleaseEngineOptions</c> or
    /// <c>EtcdOptions</c>), whose validator checks its text; not always the one its key's section is named after
    /// (<c>LightMesh:Server:Name</c> is the engine's candidate).
    /// </summary>
    public required Type Target { get; init; }

    /// <summary>True for a setting that is unset unless given (a file, a user): <see cref="Default"/> then says what that means.</summary>
    public bool Optional { get; init; }

    /// <summary>An older environment variable that sets the same value, below the key's own variable (<c>LIGHTMESH_ETCD</c>).</summary>
    public string? Alias { get; init; }

    /// <summary>Reads <c>text</c> into the options, or says what is wrong with it ("must be http://IP:PORT").</summary>
    public required Func<ServerOptions, string, (ServerOptions? Options, string? Problem)> Read { get; init; }

    /// <summary>The section the key is in (<c>LightMesh:Server</c>) and its last part (<c>Listen</c>).</summary>
    public string Section => Key[..Key.LastIndexOf(':')];

    public string Name => Key[(Key.LastIndexOf(':') + 1)..];

    /// <summary>The text <c>--help</c> shows.</summary>
    public string Description => $"{Help}. Default: {Default}. Configuration key {Key}{(Alias is null ? "" : $", or ${Alias}")}";
}
