using Microsoft.AspNetCore.Http;

namespace LightMesh.Host.Hooks;

/// <summary>
/// One CI provider's webhook, everything that differs between providers in one place: where it is posted, the secret
/// it is configured with, how a delivery proves itself, how it is named, and what it asks for.
/// </summary>
public abstract class HookSource
{
    public static readonly HookSource GitHub = new SignedSource(
        HookProvider.GitHub, GitHubEvents.SignatureHeader, GitHubEvents.DeliveryHeader, o => o.GitHub, nameof(HookOptions.GitHub),
        (headers, body) => GitHubEvents.Read(headers[GitHubEvents.EventHeader].ToString(), body));

    public static readonly HookSource GitLab = new GitLabSource();

    public static readonly HookSource Generic = new SignedSource(
        HookProvider.Generic, GenericEvents.SignatureHeader, GenericEvents.IdempotencyHeader, o => o.Generic, nameof(HookOptions.Generic),
        (_, body) => GenericEvents.Read(body));

    /// <summary>Every provider, in the order the README and the configuration list them.</summary>
    public static IReadOnlyList<HookSource> All { get; } = [GitHub, GitLab, Generic];

    public abstract HookProvider Provider { get; }

    /// <summary>The provider as URLs, keys, metrics and actors name it: github, gitlab, generic.</summary>
    public string Name => HookMetrics.NameOf(Provider);

    /// <summary>The header a delivery proves itself with.</summary>
    public abstract string CredentialHeader { get; }

    /// <summary>What a delivery whose credential does not match is told.</summary>
    public abstract string NotAuthentic { get; }

    /// <summary>The secret (GitLab: the token) as configured, empty or not, and its configuration key.</summary>
    public abstract (string? Given, string Key) SecretOf(HookOptions options);

    /// <summary>True when <paramref name="credential"/> proves the delivery came from the holder of <paramref name="secret"/>.</summary>
    public abstract bool IsAuthentic(string secret, ReadOnlyMemory<byte> body, string credential);

    /// <summary>The header naming a delivery and its value: the same on every redelivery of it; none for a generic call without one.</summary>
    public abstract (string Header, string? Id) DeliveryOf(IHeaderDictionary headers);

    /// <summary>What the delivery asks for.</summary>
    public abstract HookEvent Read(IHeaderDictionary headers, ReadOnlyMemory<byte> body);

    private static string? Value(IHeaderDictionary headers, string name) => headers[name].ToString() is { Length: > 0 } value ? value : null;

    private static string Key(string provider, string field) => $"{HookOptions.Section}:{provider}:{field}";

    /// <summary>A provider that signs each delivery's body with HMAC-SHA256 (GitHub, and the generic hook).</summary>
    private sealed class SignedSource(
        HookProvider provider, string signatureHeader, string deliveryHeader, Func<HookOptions, HmacHookOptions> section, string sectionName,
        Func<IHeaderDictionary, ReadOnlyMemory<byte>, HookEvent> read) : HookSource
    {
        public override HookProvider Provider => provider;

        public override string CredentialHeader => signatureHeader;

        public override string NotAuthentic => $"{CredentialHeader}: not the HMAC-SHA256 of the body with the configured secret (sha256=HEX)";

        public override (string? Given, string Key) SecretOf(HookOptions options) => (section(options).Secret, Key(sectionName, nameof(HmacHookOptions.Secret)));

        public override bool IsAuthentic(string secret, ReadOnlyMemory<byte> body, string credential) => HookSignatures.IsSignedBy(secret, body.Span, credential);

        public override (string Header, string? Id) DeliveryOf(IHeaderDictionary headers) => (deliveryHeader, Value(headers, deliveryHeader));

        public override HookEvent Read(IHeaderDictionary headers, ReadOnlyMemory<byte> body) => read(headers, body);
    }

    private sealed class GitLabSource : HookSource
    {
        public override HookProvider Provider => HookProvider.GitLab;

        public override string CredentialHeader => GitLabEvents.TokenHeader;

        public override string NotAuthentic => $"{CredentialHeader}: not the configured token";

        public override (string? Given, string Key) SecretOf(HookOptions options) => (options.GitLab.Token, Key(nameof(HookOptions.GitLab), nameof(GitLabHookOptions.Token)));

        public override bool IsAuthentic(string secret, ReadOnlyMemory<byte> body, string credential) => HookSignatures.IsToken(secret, credential);

        public override (string Header, string? Id) DeliveryOf(IHeaderDictionary headers) =>
            Value(headers, GitLabEvents.IdempotencyHeader) is { } key
                ? (GitLabEvents.IdempotencyHeader, key)
                : (GitLabEvents.EventIdHeader, Value(headers, GitLabEvents.EventIdHeader));

        public override HookEvent Read(IHeaderDictionary headers, ReadOnlyMemory<byte> body) => GitLabEvents.Read(headers[GitLabEvents.EventHeader].ToString(), body);
    }
}
