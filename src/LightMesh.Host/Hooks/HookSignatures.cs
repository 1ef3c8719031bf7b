using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace LightMesh.Host.Hooks;

/// <summary>Checks a delivery's signature or token against the configured secret, in constant time.</summary>
public static class HookSignatures
{
    public const string Sha256Prefix = "sha256=";

    /// <summary>
    /// True when <paramref name="header"/> is <c>sha256=HEX</c>, HEX being the HMAC-SHA256 of the raw body under
    /// <paramref name="secret"/> (GitHub's <c>X-Hub-Signature-256</c>, the generic <c>X-LightMesh-Signature</c>).
    /// </summary>
    public static bool IsSignedBy(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var hex = header.AsSpan(Sha256Prefix.Length).Trim();
        if (hex.Length != given.Length * 2 || Convert.FromHexString(hex, given, out _, out _) != OperationStatus.Done)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The header value that signs <paramref name="body"/> with <paramref name="secret"/>: <c>sha256=</c> and lowercase hex.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Sha256Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// True when <paramref name="given"/> is <paramref name="expected"/> (GitLab's <c>X-Gitlab-Token</c>). Both are hashed
    /// first, so the comparison takes the same time whatever their lengths and wherever they differ.
    /// </summary>
    public static bool IsToken(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
