using LightMesh.Core;
using LightMesh.Core.Security;

namespace LightMesh.Deployer;

/// <summary>A file holding one secret: a proxy token (<c>spec.proxyToken.file</c>, <c>--token-file</c>) or the registrar's etcd password; the secret, and nothing else but line ends.</summary>
public static class SecretFile
{
    /// <summary>The token in <paramref name="path"/>; an <see cref="InvalidInputException"/> naming <paramref name="what"/> when it cannot be read or is empty.</summary>
    public static string Read(string path, string what)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidInputException($"{what} {path}: cannot be read: {e.Message}");
        }

        var token = text.Trim('\r', '\n');
        return token.Length == 0 || !token.All(IsTokenCharacter)
            ? throw new InvalidInputException($"{what} {path}: must hold the secret alone: letters, digits and . _ ~ + / = - (base64, base64url or hex)")
            : token;
    }

    /// <summary>What a token may hold: what base64, base64url and hex use, which stays as it is in JSON, YAML and gRPC metadata.</summary>
    private static bool IsTokenCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '+' or '/' or '=' or '-';

    /// <summary>The token in <paramref name="path"/>, which must be the one <paramref name="sha256"/> names.</summary>
    public static string ReadMatching(string path, string sha256, string what)
    {
        var token = Read(path, what);
        return TokenHash.HexOf(token) == sha256
            ? token
            : throw new InvalidInputException($"{what} {path}: holds a token whose SHA-256 is not spec.proxyToken.sha256; write the node's token there, or its hash into the Node");
    }
}
