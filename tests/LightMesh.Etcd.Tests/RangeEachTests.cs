using LightMesh.Testing;

namespace LightMesh.Etcd.Tests;

/// <summary>Many reads in few round trips (<see cref="EtcdConnection.RangeEachAsync"/>), against a real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class RangeEachTests(EtcdFixture etcd) : IDisposable
{
    private readonly EtcdConnection _connection = etcd.Connect(etcd.NewPrefix());

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task MoreReadsThanOneTransactionTakes_AreAnsweredInTheirOrder_MissingKeysEmpty()
    {
        var prefix = _connection.Options.Prefix;
        foreach (var batch in Enumerable.Range(0, 150).Chunk(50))
        {
            var txn = new GuardedTxn();
            foreach (var i in batch)
            {
                txn.Put($"{prefix}folders/{i:D3}/a", $"{i}a").Put($"{prefix}folders/{i:D3}/b", $"{i}b");
            }

            Assert.True((await txn.CommitAsync(_connection, default)).Succeeded);
        }

        // Alternately a folder, a key in it, and a key that is not there: 450 reads, four transactions at the most etcd takes.
        var reads = Enumerable.Range(0, 150)
            .SelectMany(i => new[] { FolderRead($"{prefix}folders/{i:D3}/"), EtcdConnection.KeyRead($"{prefix}folders/{i:D3}/b"), EtcdConnection.KeyRead($"{prefix}folders/{i:D3}/c") })
            .ToList();
        var answers = await _connection.RangeEachAsync(reads, EtcdConnection.MaxOpsPerTxn, default);

        Assert.Equal(reads.Count, answers.Count);
        for (var i = 0; i < 150; i++)
        {
            Assert.Equal([$"{i}a", $"{i}b"], answers[3 * i].Kvs.Select(kv => kv.Value.ToStringUtf8()));
            Assert.Equal($"{i}b", Assert.Single(answers[(3 * i) + 1].Kvs).Value.ToStringUtf8());
            Assert.Empty(answers[(3 * i) + 2].Kvs);
        }
    }

    private static Etcdserverpb.RangeRequest FolderRead(string prefix) => new() { Key = EtcdConnection.Bytes(prefix), RangeEnd = EtcdConnection.PrefixEnd(prefix) };

    [Fact]
    public async Task NoReads_AreNoRoundTrip_AndABatchLargerThanEtcdTakes_IsRefused()
    {
        Assert.Empty(await _connection.RangeEachAsync([], EtcdConnection.MaxOpsPerTxn, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _connection.RangeEachAsync([EtcdConnection.KeyRead("k")], EtcdConnection.MaxOpsPerTxn + 1, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _connection.RangeEachAsync([EtcdConnection.KeyRead("k")], 0, default));
    }
}
