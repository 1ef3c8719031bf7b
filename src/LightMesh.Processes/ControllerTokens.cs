using LightMesh.Core.Security;

namespace LightMesh.Processes;

/// <summary>API tokens given to a controller through its environment, as their SHA-256 hashes (<c>LightMesh__Auth__Tokens__N__*</c>).</summary>
public static class ControllerTokens
{
    /// <summary>The variables that make the controller accept each token with its name and role.</summary>
    public static Dictionary<string, string> Environment(params IEnumerable<(string Name, string Role, string Token)> tokens)
    {
        var variables = new Dictionary<string, string>();
        foreach (var (i, (name, role, token)) in tokens.Index())
        {
            variables[$"LightMesh__Auth__Tokens__{i}__Name"] = name;
            variables[$"LightMesh__Auth__Tokens__{i}__Role"] = role;
            variables[$"LightMesh__Auth__Tokens__{i}__Sha256"] = TokenHash.HexOf(token);
        }

        return variables;
    }
}
