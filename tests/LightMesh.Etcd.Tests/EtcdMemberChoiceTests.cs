namespace LightMesh.Etcd.Tests;

/// <summary>When a member fails a call, calls move on to a member that has not failed lately, or else to the one that failed longest ago.</summary>
public sealed class EtcdMemberChoiceTests
{
    private static readonly TimeSpan Avoid = TimeSpan.FromSeconds(10);

    private static TimeSpan? Ago(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Next_NoOtherMemberFailed_IsTheNextInOrder() =>
        Assert.Equal(1, EtcdMemberChoice.Next(0, [Ago(0), null, null], Avoid));

    [Fact]
    public void Next_TheNextFailedLately_SkipsIt() =>
        Assert.Equal(2, EtcdMemberChoice.Next(0, [Ago(0), Ago(3), null], Avoid));

    [Fact]
    public void Next_FromTheLastMember_WrapsAroundPastARecentlyDeadFirst() =>
        Assert.Equal(1, EtcdMemberChoice.Next(2, [Ago(1), null, Ago(0)], Avoid));

    [Fact]
    public void Next_AFailureLongAgo_IsForgiven() =>
        Assert.Equal(1, EtcdMemberChoice.Next(0, [Ago(0), Ago(11), null], Avoid));

    [Fact]
    public void Next_EveryOtherFailedLately_IsTheOneThatFailedLongestAgo() =>
        Assert.Equal(2, EtcdMemberChoice.Next(0, [Ago(0), Ago(1), Ago(4)], Avoid));

    [Fact]
    public void Next_OneMember_StaysOnIt() =>
        Assert.Equal(0, EtcdMemberChoice.Next(0, [Ago(0)], Avoid));
}
