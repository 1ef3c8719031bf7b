using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace LightMesh.Host.Hooks;

/// <summary>Reads a request's raw body (a delivery's signature covers its exact bytes), refusing one over the size limit.</summary>
internal static class HookBody
{
    /// <summary>The body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    /// <remarks>
    /// Content-Length is only a hint: a chunked body has none and a client may send more than it says, so the limit is
    /// counted while reading, and reading stops at the first byte past it.
    /// </remarks>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var body = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (body.Length + read > limit)
                {
                    return null;
                }

                body.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return body.ToArray();
    }
}
