namespace LightMesh.Core;

/// <summary>The root of LightMesh's exceptions: something failed that is not an expected outcome.</summary>
public class LightMeshException : Exception
{
    public LightMeshException()
    {
    }

    public LightMeshException(string message)
        : base(message)
    {
    }

    public LightMeshException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
