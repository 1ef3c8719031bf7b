using LightMesh.Etcd.Leases;

namespace LightMesh.Etcd.Leadership;

/// <summary>
/// Leader election on etcd: a candidate becomes leader by creating the leader key under its own lease; the others
/// retry until the key is gone (the leader resigned, or its lease lapsed). At most one term exists at a time.
/// </summary>
public sealed class LeaderElection(EtcdConnection etcd, string election, TimeProvider time)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(10);

    public string Key => etcd.Keys.Leader(election);

    /// <summary>Who leads now, or null.</summary>
    public async Task<string?> LeaderAsync(CancellationToken cancellationToken)
    {
        var response = await etcd.GetAsync(Key, cancellationToken);
        return response.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    /// <summary>Tries once to become leader; null when another candidate leads.</summary>
    public async Task<LeaderTerm?> TryLeadAsync(string candidate, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var lease = await KeptLease.GrantAsync(etcd, ttl, time, cancellationToken);
        try
        {
            var (won, revision) = await new GuardedTxn().Absent(Key).Put(Key, candidate, lease.Id).CommitAsync(etcd, cancellationToken);
            if (won)
            {
                return new LeaderTerm(etcd, Key, candidate, lease, revision);
            }
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }

        await lease.DisposeAsync();
        return null;
    }

    /// <summary>Waits until <paramref name="candidate"/> leads, checking every <paramref name="retry"/>.</summary>
    public async Task<LeaderTerm> CampaignAsync(string candidate, TimeSpan ttl, TimeSpan retry, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await TryLeadAsync(candidate, ttl, cancellationToken) is { } term)
            {
                return term;
            }

            await Task.Delay(retry, time, cancellationToken);
        }
    }
}
