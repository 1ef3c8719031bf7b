using System.Security.Cryptography;
using System.Text.Json;
using LightMesh.Core.Security;
using LightMesh.Etcd;

namespace LightMesh.Host.OperatorConsole;

/// <summary>A one-time sign-in link as <c>POST /api/v1/console/links</c> answers it.</summary>
public sealed record ConsoleLinkView(string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// One-time console sign-in links (<c>/console/sign-in/link?code=...</c>), for whoever holds an API token and wants a
/// browser signed in as that token's holder without pasting the token (the demo prints one). A link signs in once:
/// redeeming it deletes it in a guarded transaction, so of two browsers opening it at the same moment one is signed in.
/// It lapses after <see cref="Lifetime"/> with its etcd lease. Only the code's SHA-256 is kept, as for API tokens.
/// </summary>
public sealed class ConsoleLinks(EtcdConnection etcd)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>A new link's code for <paramref name="user"/>, valid for <see cref="Lifetime"/>.</summary>
    public async Task<string> CreateAsync(ConsoleUser user, CancellationToken cancellationToken)
    {
        var code = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = etcd.Keys.ConsoleLink(TokenHash.HexOf(code));
        var lease = (await etcd.LeaseGrantAsync(Lifetime, cancellationToken)).ID;
        var (written, _) = await new GuardedTxn().Absent(key).Put(key, JsonSerializer.Serialize(user, Json), lease).CommitAsync(etcd, cancellationToken);
        return written ? code : throw new InvalidOperationException("a new random sign-in code was already in use");
    }

    /// <summary>Who <paramref name="code"/> signs in, without using it up; null for a code that was used or has lapsed.</summary>
    public async Task<ConsoleUser?> PeekAsync(string code, CancellationToken cancellationToken) =>
        (await ReadAsync(code, cancellationToken)).User;

    /// <summary>Uses <paramref name="code"/> up and says who it signs in; null when it was used already (here or by another browser) or has lapsed.</summary>
    public async Task<ConsoleUser?> RedeemAsync(string code, CancellationToken cancellationToken)
    {
        var (key, user, revision) = await ReadAsync(code, cancellationToken);
        if (user is null)
        {
            return null;
        }

        var (deleted, _) = await new GuardedTxn().Unchanged(key, revision).Delete(key).CommitAsync(etcd, cancellationToken);
        return deleted ? user : null;
    }

    private async Task<(string Key, ConsoleUser? User, long Revision)> ReadAsync(string code, CancellationToken cancellationToken)
    {
        var key = etcd.Keys.ConsoleLink(TokenHash.HexOf(code));
        if (code.Length is 0 or > 100)
        {
            return (key, null, 0);
        }

        var found = (await etcd.GetAsync(key, cancellationToken)).Kvs.FirstOrDefault();
        if (found is null)
        {
            return (key, null, 0);
        }

        try
        {
            return (key, JsonSerializer.Deserialize<ConsoleUser>(found.Value.Span, Json), found.ModRevision);
        }
        catch (JsonException)
        {
            return (key, null, 0);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
