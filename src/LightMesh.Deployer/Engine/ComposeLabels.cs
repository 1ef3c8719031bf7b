namespace LightMesh.Deployer.Engine;

/// <summary>The labels docker-compose puts on containers; ours carry them too, so compose on the node sees the same project.</summary>
public static class ComposeLabels
{
    public const string Project = "com.docker.compose.project";
    public const string Service = "com.docker.compose.service";
    public const string ContainerNumber = "com.docker.compose.container-number";
    public const string ConfigHash = "com.docker.compose.config-hash";
    public const string OneOff = "com.docker.compose.oneoff";
    public const string Version = "com.docker.compose.version";

    /// <summary>The compose version we claim to be in <see cref="Version"/>: the format our documents follow.</summary>
    public const string CompatibleVersion = "1.29.2";
}
