namespace LightMesh.Host.Hooks;

/// <summary>What to do with a delivery: start a release, ignore it, answer a ping, or refuse it as malformed.</summary>
public enum HookEventKind
{
    Start,
    Ignored,
    Ping,
    Invalid,
}
