using System.Text.Json;
using LightMesh.Core;
using LightMesh.Core.Security;
using LightMesh.Etcd;
using LightMesh.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LightMesh.Host.Security;

/// <summary>
/// At start, with no token configured: accepts the initial admin token whose hash is in etcd, or makes one (32 random
/// bytes, base64url), stores its hash with a guarded create, and, only if this controller's create won, writes the
/// token to <see cref="AuthOptions.TokenFile"/> (0600). Two controllers starting together agree on the winner's token.
/// </summary>
public sealed class InitialAdminToken(
    EtcdConnection etcd, BearerTokens tokens, IOptions<AuthOptions> options, string controller, TimeProvider time, ILogger<InitialAdminToken> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (tokens.Configured)
        {
            Log.TokensConfigured(logger, auth.Tokens.Count, string.Join(", ", auth.Tokens.Select(t => $"{t.Name}: {t.Role}")));
            return;
        }

        var key = etcd.Keys.InitialAdmin;
        var path = auth.TokenFilePath;
        var stored = await ReadAsync(key, cancellationToken);
        if (stored is null)
        {
            var token = TokenHash.NewToken();
            var made = new InitialAdminRecord(TokenHash.HexOf(token), controller, time.GetUtcNow());

            // The file is written before the hash is stored, so a controller that cannot write it never stores a hash
            // whose token nobody has; it is moved into place only if this controller's create wins.
            using var file = StageFile(path, token);
            var (created, _) = await new GuardedTxn().Absent(key).Put(key, JsonSerializer.Serialize(made, JsonSerializerOptions.Web)).CommitAsync(etcd, cancellationToken);
            if (created)
            {
                file.Commit();
                tokens.AcceptInitialAdmin(Convert.FromHexString(made.Sha256));
                Log.InitialAdminCreated(logger, path);
                return;
            }

            stored = await ReadAsync(key, cancellationToken) ?? throw new LightMeshException($"etcd: {key} was created by another controller, then removed; start again");
        }

        tokens.AcceptInitialAdmin(Convert.FromHexString(stored.Sha256));
        Log.InitialAdminInUse(logger, stored.CreatedBy, stored.CreatedAt, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static TokenFile StageFile(string path, string token)
    {
        try
        {
            return TokenFile.Stage(path, token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{AuthOptions.Section}:{nameof(AuthOptions.TokenFile)}: the initial admin token cannot be written to {path}: {e.Message}");
        }
    }

    private async Task<InitialAdminRecord?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(key, cancellationToken);
        if (response.Kvs.Count == 0)
        {
            return null;
        }

        InitialAdminRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<InitialAdminRecord>(response.Kvs[0].Value.Span, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            record = null;
        }

        return record is { Sha256: { } hash } && TokenHash.IsHex(hash)
            ? record
            : throw new LightMeshException($"etcd: {key} does not hold a SHA-256; delete it and start again to make a new initial admin token");
    }
}
