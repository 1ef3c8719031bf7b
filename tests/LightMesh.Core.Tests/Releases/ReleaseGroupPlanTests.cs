using CsCheck;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// What a running group does next (<see cref="ReleaseGroupPlan"/>): the gate, who starts, who failed the group and what
/// its failure rolls back. A failing generated case prints CsCheck's seed (<c>Set seed: "..."</c>); pass it as
/// <c>seed:</c> to <c>Sample</c>, or set <c>CsCheck_Seed</c>, to replay it.
/// </summary>
public sealed class ReleaseGroupPlanTests
{
    private static readonly ReleaseWorkflowSpec Workflow = new() { Steps = [new DeployStep(null), new SetWeightStep(50), new PauseStep(null), new PromoteStep()] };

    private static ReleaseState Release(string service, ReleasePhase phase = ReleasePhase.Progressing, int step = 0, int weight = 0, string? rollingBack = null) =>
        ReleaseDecider.Start($"{service}-v2-1", service, "v2", "v1", "w", Workflow, "ci", DateTimeOffset.UnixEpoch).State
            with { Phase = phase, Step = step, CanaryWeight = weight, RollingBack = rollingBack };

    private static ReleaseGroupSpec Group(MemberGate? gate = null, MemberFailurePolicy? policy = null) => new()
    {
        Members = [new("payments", "w", []), new("checkout", "w", ["payments"]), new("search", "w", []), new("cart", "w", ["checkout", "search"])],
        Gate = gate,
        OnMemberFailure = policy,
    };

    [Theory]
    [InlineData(null, ReleasePhase.Progressing, 3, 100, false)]
    [InlineData(null, ReleasePhase.Succeeded, 4, 0, true)]
    [InlineData("step", ReleasePhase.Progressing, 1, 0, false)]
    [InlineData("step", ReleasePhase.Progressing, 2, 50, true)]
    [InlineData("step", ReleasePhase.Paused, 3, 50, true)]
    [InlineData("weight", ReleasePhase.Progressing, 1, 20, false)]
    [InlineData("weight", ReleasePhase.Paused, 2, 50, true)]
    [InlineData("weight", ReleasePhase.Succeeded, 4, 0, true)]
    public void PassedGate_PromotedStepOrWeight(string? kind, ReleasePhase phase, int step, int weight, bool passed)
    {
        MemberGate gate = kind switch { "step" => new StepGate(2), "weight" => new WeightGate(50), _ => new PromotedGate() };

        Assert.Equal(passed, ReleaseGroupPlan.PassedGate(gate, Release("payments", phase, step, weight)));
    }

    [Fact]
    public void PassedGate_NeverForAReleaseRollingBackOrEndedOtherThanPromoted()
    {
        Assert.False(ReleaseGroupPlan.PassedGate(new WeightGate(10), Release("payments", ReleasePhase.Progressing, 2, 50, rollingBack: "aborted by ops")));
        Assert.False(ReleaseGroupPlan.PassedGate(new StepGate(1), Release("payments", ReleasePhase.RolledBack, 3, 0, rollingBack: "analysis failed")));
    }

    [Fact]
    public void ToStart_TheMembersWithNothingToWaitFor_ThenEachOnceWhatItWaitsForPassedTheGate()
    {
        var spec = Group();
        var started = new Dictionary<string, ReleaseState>(StringComparer.Ordinal);

        Assert.Equal(["payments", "search"], ReleaseGroupPlan.ToStart(spec, started).Select(m => m.Service));

        started["payments"] = Release("payments", ReleasePhase.Progressing, 3, 100);
        started["search"] = Release("search", ReleasePhase.Succeeded, 4);
        Assert.Empty(ReleaseGroupPlan.ToStart(spec, started));

        started["payments"] = Release("payments", ReleasePhase.Succeeded, 4);
        Assert.Equal(["checkout"], ReleaseGroupPlan.ToStart(spec, started).Select(m => m.Service));
    }

    [Fact]
    public void AFailedMember_StopsEveryStart_AndRollsBackTheOthersLastStartedFirst_OrOnlyWhatStartsAfterIt()
    {
        var started = new Dictionary<string, ReleaseState>(StringComparer.Ordinal)
        {
            ["payments"] = Release("payments", ReleasePhase.Succeeded, 4),
            ["search"] = Release("search", ReleasePhase.Succeeded, 4),
            ["checkout"] = Release("checkout", ReleasePhase.RolledBack, 2, rollingBack: "analysis failed"),
        };
        var order = new[] { "payments", "search", "checkout" };

        Assert.Equal("checkout", ReleaseGroupPlan.FailedMember(Group(), started)!.Service);
        Assert.Empty(ReleaseGroupPlan.ToStart(Group(), started));
        Assert.Equal(["search", "payments"], ReleaseGroupPlan.ToRollBack(Group(), "checkout", order));
        Assert.Empty(ReleaseGroupPlan.ToRollBack(Group(policy: MemberFailurePolicy.RollbackDependants), "checkout", order));
        Assert.Equal(["checkout"], ReleaseGroupPlan.ToRollBack(Group(policy: MemberFailurePolicy.RollbackDependants), "payments", order));
    }

    [Fact]
    public void Run_EveryMemberPromoted_StartsEachOnce_OnlyAfterAllItWaitsFor_UntilAllHaveStarted() =>
        ReleaseGroupGen.Acyclic.Sample(members =>
        {
            var spec = new ReleaseGroupSpec { Members = members };
            var started = new Dictionary<string, ReleaseState>(StringComparer.Ordinal);
            for (var round = 0; round <= members.Count && started.Count < members.Count; round++)
            {
                var starting = ReleaseGroupPlan.ToStart(spec, started);
                Assert.NotEmpty(starting);
                foreach (var member in starting)
                {
                    Assert.All(member.After, before => Assert.Equal(ReleasePhase.Succeeded, started[before].Phase));
                    started.Add(member.Service, Release(member.Service, ReleasePhase.Progressing, 1, 10));
                }

                // Each started member is promoted before the next round (the gate is promoted).
                foreach (var service in started.Keys.ToList())
                {
                    started[service] = Release(service, ReleasePhase.Succeeded, 4);
                }
            }

            Assert.Equal(members.Count, started.Count);
        });

    [Fact]
    public void ToRollBack_IsTheStartedMembersButTheFailedOne_Reversed_AndUnderRollbackDependantsOnlyItsDependants() =>
        ReleaseGroupGen.Acyclic.SelectMany(members => Gen.Int[0, members.Count - 1].Select(failed => (members, failed))).Sample(pair =>
        {
            var (members, failed) = pair;
            var order = ReleaseGroupOrder.Order(members)!.Select(m => m.Service).ToList();
            var failedService = members[failed].Service;

            var all = ReleaseGroupPlan.ToRollBack(new ReleaseGroupSpec { Members = members }, failedService, order);
            var dependants = ReleaseGroupPlan.ToRollBack(new ReleaseGroupSpec { Members = members, OnMemberFailure = MemberFailurePolicy.RollbackDependants }, failedService, order);

            Assert.Equal(order.Where(s => s != failedService).Reverse(), all);
            Assert.Equal(all.Where(ReleaseGroupOrder.Dependants(members, failedService).Contains), dependants);
        });
}
