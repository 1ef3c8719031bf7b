using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;

namespace LightMesh.Etcd.Releases;

/// <summary>
/// Where a page of releases ended: the last release's place in the index (its order and id), opaque to clients. A
/// token stays valid when releases come and go: the next page starts after that place, wherever it now is.
/// </summary>
public sealed partial record ContinueToken
{
    private ContinueToken(string place) => Place = place;

    /// <summary>The index key after the index folder: <c>{order}/{id}</c>.</summary>
    public string Place { get; }

    [GeneratedRegex(@"^\d{19}/[^\x00-\x1f]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public static ContinueToken At(string place) => new(place);

    /// <summary>Reads a token a page gave; null when <paramref name="text"/> is not one.</summary>
    public static ContinueToken? Parse(string text)
    {
        if (text.Length is 0 or > 2048 || !Base64Url.IsValid(text))
        {
            return null;
        }

        var place = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        return Shape().IsMatch(place) ? new ContinueToken(place) : null;
    }

    public override string ToString() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Place));
}
