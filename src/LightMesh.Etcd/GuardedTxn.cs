using Google.Protobuf;
using Etcdserverpb;

namespace LightMesh.Etcd;

/// <summary>
/// Builds an etcd transaction that applies its writes only if what was read is still true: the lost-update
/// guard every traffic-changing write goes through.
/// </summary>
public sealed class GuardedTxn
{
    private readonly TxnRequest _request = new();

    /// <summary>Nothing under <paramref name="prefix"/> was created or changed after <paramref name="revision"/>.</summary>
    public GuardedTxn UnchangedSince(string prefix, long revision) => WrittenNoLaterThan(prefix, EtcdConnection.PrefixEnd(prefix), revision);

    /// <summary><paramref name="key"/> still exists and was last changed at <paramref name="modRevision"/>.</summary>
    public GuardedTxn Unchanged(string key, long modRevision)
    {
        _request.Compare.Add(new Compare
        {
            Key = EtcdConnection.Bytes(key),
            Target = Compare.Types.CompareTarget.Mod,
            Result = Compare.Types.CompareResult.Equal,
            ModRevision = modRevision,
        });
        return this;
    }

    /// <summary><paramref name="key"/> does not exist.</summary>
    public GuardedTxn Absent(string key) => CompareVersionWithZero(key, Compare.Types.CompareResult.Equal);

    /// <summary><paramref name="key"/> exists.</summary>
    public GuardedTxn Exists(string key) => CompareVersionWithZero(key, Compare.Types.CompareResult.Greater);

    /// <summary><paramref name="key"/> was not written after <paramref name="revision"/> (or does not exist).</summary>
    public GuardedTxn KeyUnchangedSince(string key, long revision) => WrittenNoLaterThan(key, ByteString.Empty, revision);

    /// <summary>Every key from <paramref name="key"/> to <paramref name="rangeEnd"/> (just the key when empty) was last written at or before <paramref name="revision"/>.</summary>
    private GuardedTxn WrittenNoLaterThan(string key, ByteString rangeEnd, long revision)
    {
        _request.Compare.Add(new Compare
        {
            Key = EtcdConnection.Bytes(key),
            RangeEnd = rangeEnd,
            Target = Compare.Types.CompareTarget.Mod,
            Result = Compare.Types.CompareResult.Less,
            ModRevision = revision + 1,
        });
        return this;
    }

    /// <summary><paramref name="key"/> is unchanged since it was read at <paramref name="modRevision"/>, or still absent if that is 0.</summary>
    public GuardedTxn AsRead(string key, long modRevision) => modRevision == 0 ? Absent(key) : Unchanged(key, modRevision);

    public GuardedTxn Put(string key, string value, long lease = 0)
    {
        _request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = EtcdConnection.Bytes(key), Value = EtcdConnection.Bytes(value), Lease = lease } });
        return this;
    }

    /// <summary>
    /// Puts <paramref name="value"/> without copying it: the caller keeps the bytes unchanged until <see cref="CommitAsync"/>
    /// has returned (a value of hundreds of KiB written again and again, from a buffer reused between writes).
    /// </summary>
    public GuardedTxn Put(string key, ReadOnlyMemory<byte> value, long lease = 0)
    {
        _request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = EtcdConnection.Bytes(key), Value = UnsafeByteOperations.UnsafeWrap(value), Lease = lease } });
        return this;
    }

    public GuardedTxn Delete(string key)
    {
        _request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdConnection.Bytes(key) } });
        return this;
    }

    private GuardedTxn CompareVersionWithZero(string key, Compare.Types.CompareResult result)
    {
        _request.Compare.Add(new Compare { Key = EtcdConnection.Bytes(key), Target = Compare.Types.CompareTarget.Version, Result = result, Version = 0 });
        return this;
    }

    /// <summary>Deletes every key under <paramref name="prefix"/>.</summary>
    public GuardedTxn DeletePrefix(string prefix)
    {
        _request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdConnection.Bytes(prefix), RangeEnd = EtcdConnection.PrefixEnd(prefix) } });
        return this;
    }

    /// <summary>A copy of the transaction as it will be sent.</summary>
    public TxnRequest Request => _request.Clone();

    /// <summary>Runs the transaction; true when the guards held and the writes were made.</summary>
    public async Task<(bool Succeeded, long Revision)> CommitAsync(EtcdConnection etcd, CancellationToken cancellationToken)
    {
        var response = await etcd.TxnAsync(_request, cancellationToken);
        return (response.Succeeded, response.Header.Revision);
    }
}
