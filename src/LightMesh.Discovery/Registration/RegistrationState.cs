using LightMesh.Core.Mesh;

namespace LightMesh.Discovery.Registration;

/// <summary>What this app is (or will be) registered as, for the app to show in answers and health checks.</summary>
public sealed class RegistrationState
{
    private volatile Instance? _instance;
    private volatile bool _registered;

    /// <summary>The instance as registered; known once the port is (at start, or when the server has bound it).</summary>
    public Instance? Instance
    {
        get => _instance;
        internal set => _instance = value;
    }

    /// <summary>True from the first successful registration until the lease is revoked at shutdown.</summary>
    public bool Registered
    {
        get => _registered;
        internal set => _registered = value;
    }
}
