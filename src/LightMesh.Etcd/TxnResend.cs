using Etcdserverpb;
using Google.Protobuf;

namespace LightMesh.Etcd;

/// <summary>Whether a transaction whose outcome is unknown (its answer was lost) may be sent again without being applied twice.</summary>
public static class TxnResend
{
    /// <summary>
    /// True when applying the transaction makes its own guard false: one of its comparisons pins a key that its writes
    /// change to the revision it had (or to its absence). Sent again after it was applied, it then fails its guard and
    /// reports a conflict, which the caller answers as any conflict: by reading again.
    /// </summary>
    public static bool IsSafe(TxnRequest request) =>
        request.Failure.Count == 0 && request.Compare.Any(compare => Pins(compare) && request.Success.Any(op => Writes(op, compare)));

    private static bool Pins(Compare compare) => compare switch
    {
        { Target: Compare.Types.CompareTarget.Mod, Result: Compare.Types.CompareResult.Equal or Compare.Types.CompareResult.Less } => true,
        { Target: Compare.Types.CompareTarget.Version, Result: Compare.Types.CompareResult.Equal, Version: 0 } => true,
        _ => false,
    };

    private static bool Writes(RequestOp op, Compare compare) => op.RequestCase switch
    {
        RequestOp.RequestOneofCase.RequestPut => Within(op.RequestPut.Key, compare.Key, compare.RangeEnd),
        RequestOp.RequestOneofCase.RequestDeleteRange when op.RequestDeleteRange.RangeEnd.IsEmpty => Within(op.RequestDeleteRange.Key, compare.Key, compare.RangeEnd),
        _ => false,
    };

    /// <summary>Whether <paramref name="key"/> is the compared key, or inside the compared range [key, rangeEnd).</summary>
    private static bool Within(ByteString key, ByteString compareKey, ByteString rangeEnd) =>
        rangeEnd.IsEmpty
            ? key.Equals(compareKey)
            : ByteStringOrder(key, compareKey) >= 0 && (rangeEnd.Span.SequenceEqual(new byte[] { 0 }) || ByteStringOrder(key, rangeEnd) < 0);

    private static int ByteStringOrder(ByteString a, ByteString b) => a.Span.SequenceCompareTo(b.Span);
}
