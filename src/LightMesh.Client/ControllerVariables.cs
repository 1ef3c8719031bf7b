namespace LightMesh.Client;

/// <summary>The environment variables that name the controller a client calls and the token it shows.</summary>
public static class ControllerVariables
{
    public const string Server = "LIGHTMESH_SERVER";
    public const string Token = "LIGHTMESH_TOKEN";
}
