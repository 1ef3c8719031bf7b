using LightMesh.Core.Releases;
using LightMesh.Etcd.Releases;
using LightMesh.Releases.Requests;

namespace LightMesh.Testing;

/// <summary>Every release a test's controller keeps, read page after page as the API reads them.</summary>
public static class ReleasePages
{
    public static async Task<List<ReleaseState>> AllAsync(this ReleaseService releases, string? service = null)
    {
        var all = new List<ReleaseState>();
        var query = new ReleaseQuery { Limit = ReleaseQuery.MaxLimit, Service = service };
        while (true)
        {
            var page = await releases.ListAsync(query, default);
            all.AddRange(page.Releases);
            if (page.Continue is null)
            {
                return all;
            }

            query = query with { Continue = page.Continue };
        }
    }
}
