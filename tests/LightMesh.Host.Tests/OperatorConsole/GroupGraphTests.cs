using CsCheck;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;
using LightMesh.Host.OperatorConsole;

namespace LightMesh.Host.Tests.OperatorConsole;

/// <summary>A group's members drawn as the graph their after lists make: each after every member it waits for, an arrow per wait.</summary>
public sealed class GroupGraphTests
{
    private static GroupMemberView Member(string service, ReleasePhase? phase, params string[] after) =>
        new(service, "v2", after, phase is null ? null : $"g-{service}", phase, null, null, null, null);

    [Fact]
    public void ADiamond_IsDrawnInThreeColumns_WithAnArrowPerWait_AndEachMembersPhaseInWords()
    {
        GroupMemberView[] members =
        [
            Member("payments", ReleasePhase.Succeeded) with { Revert = "g-payments-revert", RevertPhase = ReleasePhase.Succeeded },
            Member("stock", ReleasePhase.RolledBack, "payments"),
            Member("search", ReleasePhase.Progressing, "payments"),
            Member("checkout", null, "stock", "search"),
        ];

        var svg = GroupGraph.Svg(members, "the members of <shop>");

        Assert.Equal(new Dictionary<string, int> { ["payments"] = 0, ["stock"] = 1, ["search"] = 1, ["checkout"] = 2 }, GroupGraph.Columns(members));
        Assert.Contains("data-member=\"checkout\" data-column=\"2\"", svg, StringComparison.Ordinal);
        Assert.Equal(4, svg.Split("class=\"after\"").Length - 1);
        Assert.Contains("data-from=\"stock\" data-to=\"checkout\"", svg, StringComparison.Ordinal);
        Assert.Contains("<title>payments v2: Succeeded, reverted: Succeeded; starts first</title>", svg, StringComparison.Ordinal);
        Assert.Contains("<title>checkout v2: waiting; starts after stock and search</title>", svg, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"the members of &lt;shop&gt;\"", svg, StringComparison.Ordinal);
    }

    /// <summary>
    /// Generated groups (each member after any of those before it): every member stands right of all it waits for, next
    /// to the furthest of them, and in column 0 only when it waits for none; one arrow per wait.
    /// </summary>
    [Fact]
    public void EveryMember_StandsRightOfEachMemberItWaitsFor() =>
        Gen.Int[0, 1 << 20].Array[1, 8].Sample(choices =>
        {
            var members = choices.Select((choice, i) => Member(
                $"s{i}", null, [.. Enumerable.Range(0, i).Where(j => (choice >> j & 1) == 1).Select(j => $"s{j}")])).ToList();
            var columns = GroupGraph.Columns(members);
            var svg = GroupGraph.Svg(members, "generated");
            return members.All(m => m.After.All(a => columns[a] < columns[m.Service])
                    && (columns[m.Service] == 0) == (m.After.Count == 0)
                    && (m.After.Count == 0 || m.After.Any(a => columns[a] == columns[m.Service] - 1)))
                && svg.Split("class=\"after\"").Length - 1 == members.Sum(m => m.After.Count);
        });
}
