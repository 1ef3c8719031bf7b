using LightMesh.Core.Releases;
using LightMesh.Host.OperatorConsole;

namespace LightMesh.Host.Tests.OperatorConsole;

public sealed class GroupRowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly ReleaseGroupSpec Pair = new()
    {
        Members = [new GroupMember("alpha", "canary", []), new GroupMember("beta", "canary", ["alpha"])],
    };

    private static ReleaseGroupState Group(int n, GroupPhase phase, params string[] services)
    {
        var spec = services.Length == 0 ? Pair : Pair with { Members = [.. services.Select(s => new GroupMember(s, "canary", []))] };
        var started = ReleaseGroupDecider.Start($"pair-{n:00}", "pair", spec, spec.Members.ToDictionary(m => m.Service, _ => "v2"), "ci", Now.AddMinutes(-n));
        return started with { Phase = phase };
    }

    [Fact]
    public void Of_SaysTheMembersTheirVersionsAndWhyItRollsBack()
    {
        var group = Group(3, GroupPhase.RollingBack) with { RollingBack = "beta v2 ended RolledBack: analysis failed" };

        var row = GroupRow.Of(group, Now);

        Assert.Equal(new GroupRow("pair-03", "pair", "alpha v2, beta v2", GroupPhase.RollingBack, "ci", "3m", "beta v2 ended RolledBack: analysis failed"), row);
        Assert.Equal("paused by otto", GroupRow.Of(Group(1, GroupPhase.Progressing) with { PausedBy = "otto" }, Now).Why);
    }

    [Fact]
    public void Listed_EveryRunningGroupFirst_ThenTheNewestEndedUpToTheLimit_NewestFirst()
    {
        var ended = Enumerable.Range(1, GroupRow.RecentShown + 5).Select(n => Group(n, n % 2 == 0 ? GroupPhase.Succeeded : GroupPhase.RolledBack));
        var running = new[] { Group(40, GroupPhase.Progressing), Group(30, GroupPhase.RollingBack) };

        var rows = GroupRow.Listed([.. ended, .. running], service: null, Now);

        Assert.Equal(["pair-30", "pair-40", .. Enumerable.Range(1, GroupRow.RecentShown).Select(n => $"pair-{n:00}")], rows.Select(r => r.Id));
    }

    [Fact]
    public void Listed_WithAService_OnlyTheGroupsItIsAMemberOf()
    {
        var groups = new[] { Group(1, GroupPhase.Progressing), Group(2, GroupPhase.Succeeded, "gamma"), Group(3, GroupPhase.Succeeded, "gamma", "beta") };

        Assert.Equal(["pair-01", "pair-03"], GroupRow.Listed(groups, "beta", Now).Select(r => r.Id));
        Assert.Equal(["pair-02", "pair-03"], GroupRow.Listed(groups, "gamma", Now).Select(r => r.Id));
        Assert.Empty(GroupRow.Listed(groups, "delta", Now));
    }
}
