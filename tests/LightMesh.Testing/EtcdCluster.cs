using System.Net.Http.Json;
using System.Text.Json;

namespace LightMesh.Testing;

/// <summary>A real three-member etcd cluster on 127.0.0.1 with ports picked at run time; members can be killed and restarted.</summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private readonly string _token = $"lightmesh-{Guid.NewGuid():N}";

    private EtcdCluster(IReadOnlyList<EtcdClusterMember> members) => Members = members;

    public IReadOnlyList<EtcdClusterMember> Members { get; }

    /// <summary>Every member's client URL, comma-separated, in member order: what <c>--etcd</c> is given.</summary>
    public string Endpoints => string.Join(',', Members.Select(m => m.Endpoint));

    private string InitialCluster => string.Join(',', Members.Select(m => $"{m.Name}={m.PeerUrl}"));

    public static async Task<EtcdCluster> StartAsync(int size = 3)
    {
        var cluster = new EtcdCluster([.. Enumerable.Range(0, size).Select(i => new EtcdClusterMember($"m{i}"))]);
        try
        {
            // All at once: a member is healthy only once a quorum has formed.
            await Task.WhenAll(cluster.Members.Select(m => m.StartAsync(cluster.InitialCluster, cluster._token)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a killed member again with its data; returns once it is healthy (it has rejoined and sees a leader).</summary>
    public Task RestartAsync(EtcdClusterMember member) => member.StartAsync(InitialCluster, _token);

    /// <summary>The raft leader, as the running members' maintenance status reports it; polls until they agree on one.</summary>
    public async Task<EtcdClusterMember> LeaderAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        return await Poll.UntilAsync(
            async () =>
            {
                var ids = new Dictionary<string, EtcdClusterMember>();
                var leaders = new HashSet<string>();
                foreach (var member in Members.Where(m => m.IsRunning))
                {
                    try
                    {
                        using var response = await http.PostAsJsonAsync($"{member.Endpoint}/v3/maintenance/status", new { });
                        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                        ids[status.RootElement.GetProperty("header").GetProperty("member_id").GetString()!] = member;
                        leaders.Add(status.RootElement.TryGetProperty("leader", out var leader) ? leader.GetString()! : "none");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
                    {
                        leaders.Add("unknown");
                    }
                }

                return leaders.Count == 1 && ids.TryGetValue(leaders.Single(), out var found) ? found : null;
            },
            leader => leader is not null,
            timeout,
            "the etcd members to agree on a leader") ?? throw new InvalidOperationException("no leader");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await member.DisposeAsync();
        }
    }
}
