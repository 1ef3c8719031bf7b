using Microsoft.Extensions.Time.Testing;

namespace LightMesh.DurableExecution.Tests;

/// <summary>The grey list keeps a workflow from being queued twice in a row, and only for a moment.</summary>
public sealed class ShortGreyListTests
{
    [Fact]
    public void Contains_ListedEntry_HoldsForItsTimeThenLapses_AndRemoveEndsItAtOnce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
        var list = new ShortGreyList(time, TimeSpan.FromSeconds(5));

        list.Add("wf:a");
        list.Add("wf:b");
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(list.Contains("wf:a"));
        list.Remove("wf:b");
        Assert.False(list.Contains("wf:b"));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(list.Contains("wf:a"));
        Assert.False(list.Contains("wf:never"));
    }
}
