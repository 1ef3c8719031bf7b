namespace LightMesh.Cli.Commands.Release;

/// <summary>Options every <c>release</c> verb takes: those of <see cref="ControllerSettings"/>, with a controller on the local host by default.</summary>
public class ReleaseSettings : ControllerSettings
{
    /// <summary>The controller's URL: the option, else the environment, else the default.</summary>
    public override string ServerUrl => NamedServer ?? DefaultServer;

    /// <summary>Who acts when <c>--actor</c> is not given: the login name, else "operator".</summary>
    public static string DefaultActor => NonEmpty(Environment.GetEnvironmentVariable("USER")) ?? "operator";

    public ReleaseClient CreateClient() => new(CreateControllerClient());
}
