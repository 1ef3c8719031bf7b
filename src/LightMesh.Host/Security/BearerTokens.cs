using System.Security.Cryptography;
using LightMesh.Core.Security;
using LightMesh.Host.Configuration;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Security;

/// <summary>
/// The tokens the API accepts: those configured, or, when none is, the initial admin token's hash once
/// <see cref="InitialAdminToken"/> has it. Only hashes are held; a presented token is hashed and compared in constant time.
/// </summary>
public sealed class BearerTokens(IOptions<AuthOptions> options)
{
    public const string InitialAdminName = "initial-admin";

    private volatile IReadOnlyList<KnownToken> _known = [.. options.Value.Tokens.Select(t => new KnownToken(t.Name, t.Role, Convert.FromHexString(t.Sha256)))];

    /// <summary>Whether tokens are configured; if not, the initial admin token is the only one.</summary>
    public bool Configured => options.Value.Tokens.Count > 0;

    /// <summary>Accepts the initial admin token, given the SHA-256 kept in etcd.</summary>
    public void AcceptInitialAdmin(ReadOnlyMemory<byte> sha256) => _known = [new KnownToken(InitialAdminName, Roles.Admin, sha256)];

    /// <summary>Whether a token of <paramref name="name"/> with <paramref name="role"/> is still accepted (a console session was made with it).</summary>
    public bool Holds(string name, string role) => _known.Any(k => k.Name == name && k.Role == role);

    /// <summary>The token <paramref name="presented"/> is, or null. Every known hash is compared, each in constant time.</summary>
    public KnownToken? Find(string presented)
    {
        var hash = TokenHash.Of(presented);
        KnownToken? found = null;
        foreach (var known in _known)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known.Sha256.Span))
            {
                found ??= known;
            }
        }

        return found;
    }
}
