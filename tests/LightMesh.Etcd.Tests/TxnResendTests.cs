namespace LightMesh.Etcd.Tests;

/// <summary>A write whose answer was lost is sent again only if its own guard would stop it being applied twice.</summary>
public sealed class TxnResendTests
{
    private static bool IsSafe(GuardedTxn txn) => TxnResend.IsSafe(txn.Request);

    [Fact]
    public void IsSafe_PutGuardedByTheKeysOwnRevision_IsTrue() =>
        Assert.True(IsSafe(new GuardedTxn().Unchanged("/p/a", 7).Put("/p/a", "x")));

    [Fact]
    public void IsSafe_CreateGuardedByAbsence_IsTrue() =>
        Assert.True(IsSafe(new GuardedTxn().Absent("/p/a").Put("/p/a", "x")));

    [Fact]
    public void IsSafe_PutUnderAPrefixUnchangedSinceARevision_IsTrue() =>
        Assert.True(IsSafe(new GuardedTxn().UnchangedSince("/p/", 7).Put("/p/a", "x")));

    [Fact]
    public void IsSafe_DeleteGuardedByTheKeysOwnRevision_IsTrue() =>
        Assert.True(IsSafe(new GuardedTxn().Unchanged("/p/a", 7).Delete("/p/a")));

    [Fact]
    public void IsSafe_UnguardedPut_IsFalse() =>
        Assert.False(IsSafe(new GuardedTxn().Put("/p/a", "x")));

    [Fact]
    public void IsSafe_GuardOnAnotherKeyOnly_IsFalse() =>
        Assert.False(IsSafe(new GuardedTxn().Unchanged("/leader", 3).Put("/p/a", "x")));

    [Fact]
    public void IsSafe_GuardThatApplyingLeavesTrue_IsFalse() =>
        Assert.False(IsSafe(new GuardedTxn().Exists("/p/a").Put("/p/a", "x")));

    [Fact]
    public void IsSafe_PutOutsideTheGuardedPrefix_IsFalse() =>
        Assert.False(IsSafe(new GuardedTxn().UnchangedSince("/p/", 7).Put("/q/a", "x")));
}
