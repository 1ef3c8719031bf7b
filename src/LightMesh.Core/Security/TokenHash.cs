using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace LightMesh.Core.Security;

/// <summary>Bearer tokens (API and proxy node tokens) and the SHA-256 that stands for them in configuration, documents and etcd.</summary>
public static class TokenHash
{
    /// <summary>The SHA-256 of a token's UTF-8 bytes, as <c>printf %s "$TOKEN" | sha256sum</c> gives it.</summary>
    public static byte[] Of(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The same, as 64 lowercase hex digits.</summary>
    public static string HexOf(string token) => Convert.ToHexStringLower(Of(token));

    /// <summary>Whether <paramref name="text"/> is a SHA-256 in hex (64 digits, either case).</summary>
    public static bool IsHex(string text) => text.Length == SHA256.HashSizeInBytes * 2 && text.All(char.IsAsciiHexDigit);

    /// <summary>
    /// A new token: 32 random bytes, base64url without padding (43 characters, safe in a header and a shell), never
    /// starting with '-', which a command line (<c>--token -abc...</c>) would take for an option.
    /// </summary>
    public static string NewToken()
    {
        while (true)
        {
            var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            if (token[0] != '-')
            {
                return token;
            }
        }
    }
}
