using CsCheck;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// The group release's decisions, by example and over generated groups run against a simulated world of member
/// releases that succeed, fail and are aborted at random, with controllers that die before or after saving. A failing
/// generated case prints its seed: pass it as <c>seed:</c> to <c>Sample</c>, or set <c>CsCheck_Seed</c>, to replay it.
/// </summary>
public sealed class ReleaseGroupDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReleaseWorkflowSpec Canary = new() { Steps = [new DeployStep(null), new SetWeightStep(50), new PromoteStep()] };

    private static ReleaseGroupSpec Shop(MemberGate? gate = null) => new()
    {
        Members = [new GroupMember("payments", "canary", []), new GroupMember("checkout", "canary", ["payments"])],
        Gate = gate,
    };

    private static ReleaseGroupState Started(ReleaseGroupSpec spec) =>
        ReleaseGroupDecider.Start("shop-1", "shop", spec, spec.Members.ToDictionary(m => m.Service, _ => "v2"), "ci", T0);

    private static ReleaseState Release(string id, string service, string version, ReleasePhase phase = ReleasePhase.Progressing, int step = 0, int weight = 0, string? rollingBack = null) => new()
    {
        Id = id, Service = service, Version = version, StableVersion = "v1", Workflow = "canary", Spec = Canary,
        Phase = phase, Step = step, CanaryWeight = weight, RollingBack = rollingBack, StartedAt = T0, LastProgressAt = T0,
    };

    [Fact]
    public void Members_StartInTheirOrder_AndTheGroupSucceedsOnceEveryOneIsPromoted()
    {
        var group = Started(Shop());
        var releases = new Dictionary<string, ReleaseState>();

        var first = ReleaseGroupDecider.Decide(group, releases, T0);
        Assert.Equal([new StartMember("payments", "shop-1-payments", "v2", "canary")], first.Commands);
        Assert.Equal("shop-1-payments", first.State.Member("payments").ReleaseId);

        // Started, not promoted: checkout waits; a decision made again asks for nothing new.
        releases["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", step: 2, weight: 50);
        Assert.Empty(ReleaseGroupDecider.Decide(first.State, releases, T0).Commands);

        releases["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", ReleasePhase.Succeeded, 3);
        var second = ReleaseGroupDecider.Decide(first.State, releases, T0);
        Assert.Equal([new StartMember("checkout", "shop-1-checkout", "v2", "canary")], second.Commands);
        Assert.Equal(["payments", "checkout"], second.State.StartOrder);

        releases["shop-1-checkout"] = Release("shop-1-checkout", "checkout", "v2", ReleasePhase.Succeeded, 3);
        var done = ReleaseGroupDecider.Decide(second.State, releases, T0);
        Assert.Equal(GroupPhase.Succeeded, done.State.Phase);
        Assert.Empty(done.Commands);
    }

    [Fact]
    public void APausedGroup_StartsNoMember_UntilResumed_AndSaysWhyItCannotBePausedTwice()
    {
        var group = Started(Shop(new WeightGate(50)));
        var releases = new Dictionary<string, ReleaseState>();
        group = ReleaseGroupDecider.Decide(group, releases, T0).State;
        releases["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", step: 2, weight: 50);

        var (paused, _) = ReleaseGroupDecider.Act(group, OperatorAction.Pause, "ops", T0);
        Assert.Equal("ops", paused!.PausedBy);
        paused = ReleaseGroupDecider.Acted(paused, 1, "payments");
        Assert.Empty(ReleaseGroupDecider.Decide(paused, releases, T0).Commands);
        Assert.Contains("already paused (by ops)", ReleaseGroupDecider.Act(paused, OperatorAction.Pause, "ops", T0).Refused, StringComparison.Ordinal);

        var (resumed, _) = ReleaseGroupDecider.Act(paused, OperatorAction.Resume, "ops", T0);
        resumed = ReleaseGroupDecider.Acted(resumed!, 2, "payments");
        Assert.Equal([new StartMember("checkout", "shop-1-checkout", "v2", "canary")], ReleaseGroupDecider.Decide(resumed, releases, T0).Commands);
        Assert.Equal(["group paused", "group resumed"], resumed.Events.Skip(2).Select(e => e.Action));
        Assert.Contains("is not paused", ReleaseGroupDecider.Act(resumed, OperatorAction.Resume, "ops", T0).Refused, StringComparison.Ordinal);
        Assert.Null(ReleaseGroupDecider.Abort(paused, "ops", T0)!.PausedBy);
    }

    [Fact]
    public void AGroupAction_IsCarriedToEveryMemberStarted_UntilEachIsReached_UnderItsOwnActor()
    {
        var group = Started(Shop(new WeightGate(50)));
        var releases = new Dictionary<string, ReleaseState>();
        group = ReleaseGroupDecider.Decide(group, releases, T0).State;
        releases["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", step: 2, weight: 50);
        group = ReleaseGroupDecider.Decide(group, releases, T0).State; // checkout's start recorded, its release not there yet

        var (approved, _) = ReleaseGroupDecider.Act(group, OperatorAction.Approve, "ops", T0);
        Assert.Equal((1, OperatorAction.Approve, "ops"), (approved!.Acting!.Number, approved.Acting.Action, approved.Acting.Actor));
        Assert.Equal(["payments", "checkout"], approved.Acting.Pending);
        Assert.Null(approved.PausedBy);
        const string Actor = "ops (group shop-1, action 1)";
        Assert.Equal(
            [
                new StartMember("checkout", "shop-1-checkout", "v2", "canary"),
                new ActOnMember("payments", "shop-1-payments", OperatorAction.Approve, Actor, 1),
                new ActOnMember("checkout", "shop-1-checkout", OperatorAction.Approve, Actor, 1),
            ],
            ReleaseGroupDecider.Decide(approved, releases, T0).Commands);

        // Reached one at a time; one already reached, or by an older action, changes nothing.
        var one = ReleaseGroupDecider.Acted(approved, 1, "payments");
        Assert.Same(one, ReleaseGroupDecider.Acted(one, 1, "payments"));
        Assert.Same(one, ReleaseGroupDecider.Acted(one, 0, "checkout"));
        var both = ReleaseGroupDecider.Acted(one, 1, "checkout");
        Assert.Empty(both.Acting!.Pending);
        Assert.Equal([new StartMember("checkout", "shop-1-checkout", "v2", "canary")], ReleaseGroupDecider.Decide(both, releases, T0).Commands);

        // A newer action takes the place of one not carried everywhere; the numbers go on.
        var (paused, _) = ReleaseGroupDecider.Act(one, OperatorAction.Pause, "ann", T0);
        Assert.Equal((2, OperatorAction.Pause, 2), (paused!.Acting!.Number, paused.Acting.Action, paused.Acting.Pending.Count));
        Assert.Equal("ann (group shop-1, action 2)", paused.Acting.MemberActor(paused.Id));

        // Rolling back, an action goes no further.
        var aborted = ReleaseGroupDecider.Abort(paused, "ops", T0)!;
        Assert.Empty(aborted.Acting!.Pending);
        Assert.DoesNotContain(ReleaseGroupDecider.Decide(aborted, releases, T0).Commands, c => c is ActOnMember);
    }

    [Fact]
    public void TheGroupsApproval_Stands_AndReachesEachMemberAtAGroupApprovalStep_OncePerStep()
    {
        var gated = new ReleaseWorkflowSpec { Steps = [new DeployStep(null), new ApprovalStep { Group = true }, new ApprovalStep(), new ApprovalStep { Group = true }, new PromoteStep()] };
        var group = ReleaseGroupDecider.Decide(Started(Shop()), new Dictionary<string, ReleaseState>(), T0).State;
        var (approved, _) = ReleaseGroupDecider.Act(group, OperatorAction.Approve, "ops", T0);
        approved = ReleaseGroupDecider.Acted(approved!, 1, "payments");
        Assert.Equal("ops", approved.ApprovedBy);

        ReleaseState At(int step) => Release("shop-1-payments", "payments", "v2", ReleasePhase.Paused, step) with { Spec = gated, PausedFor = PauseKind.Approval };
        var releases = new Dictionary<string, ReleaseState> { ["shop-1-payments"] = At(1) };
        Assert.Equal([new ActOnMember("payments", "shop-1-payments", OperatorAction.Approve, "ops (group shop-1, approval of step 1)", null)], ReleaseGroupDecider.Decide(approved, releases, T0).Commands);

        // An approval step of the member's own is the operator's; the next group one gets the group's approval again.
        releases["shop-1-payments"] = At(2);
        Assert.DoesNotContain(ReleaseGroupDecider.Decide(approved, releases, T0).Commands, c => c is ActOnMember);
        releases["shop-1-payments"] = At(3);
        Assert.Equal("ops (group shop-1, approval of step 3)", Assert.IsType<ActOnMember>(Assert.Single(ReleaseGroupDecider.Decide(approved, releases, T0).Commands, c => c is ActOnMember)).Actor);

        // Not approved: the member waits.
        Assert.DoesNotContain(ReleaseGroupDecider.Decide(group, releases, T0).Commands, c => c is ActOnMember);
    }

    [Fact]
    public void AStartRecordedBeforeAPause_IsNotAskedForAgain_UntilTheGroupIsResumed()
    {
        // The start is guarded by the group's revision: a pause saved after the start was recorded made it fail.
        var recorded = ReleaseGroupDecider.Decide(Started(Shop()), new Dictionary<string, ReleaseState>(), T0).State;
        var (paused, _) = ReleaseGroupDecider.Act(recorded, OperatorAction.Pause, "ops", T0);
        paused = ReleaseGroupDecider.Acted(paused!, 1, "payments");
        Assert.Empty(ReleaseGroupDecider.Decide(paused, new Dictionary<string, ReleaseState>(), T0).Commands);

        var (resumed, _) = ReleaseGroupDecider.Act(paused, OperatorAction.Resume, "ops", T0);
        Assert.Contains(new StartMember("payments", "shop-1-payments", "v2", "canary"), ReleaseGroupDecider.Decide(resumed!, new Dictionary<string, ReleaseState>(), T0).Commands);
    }

    [Fact]
    public void AGroupAction_OtherThanPauseResumeApprove_OrOnAnEndedGroup_IsRefused()
    {
        Assert.Contains("acts on one release", ReleaseGroupDecider.Act(Started(Shop()), OperatorAction.PromoteFull, "ops", T0).Refused, StringComparison.Ordinal);
        var ended = Started(Shop()) with { Phase = GroupPhase.RolledBack };
        Assert.Contains("is RolledBack", ReleaseGroupDecider.Act(ended, OperatorAction.Approve, "ops", T0).Refused, StringComparison.Ordinal);
    }

    [Fact]
    public void AStartRecordedButLost_IsAskedForAgainWithTheSameId()
    {
        var first = ReleaseGroupDecider.Decide(Started(Shop()), new Dictionary<string, ReleaseState>(), T0);

        var again = ReleaseGroupDecider.Decide(first.State, new Dictionary<string, ReleaseState>(), T0);

        Assert.Equal(first.Commands, again.Commands);
        Assert.Equal(first.State, again.State);
    }

    [Fact]
    public void AFailingMember_RollsThePromotedOneBackToItsOldVersion_AndTheGroupEndsRolledBackNamingIt()
    {
        var group = Started(Shop());
        var releases = new Dictionary<string, ReleaseState>();
        group = ReleaseGroupDecider.Decide(group, releases, T0).State;
        releases["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", ReleasePhase.Succeeded, 3);
        group = ReleaseGroupDecider.Decide(group, releases, T0).State;
        releases["shop-1-checkout"] = Release("shop-1-checkout", "checkout", "v2", ReleasePhase.RolledBack, 1, rollingBack: "analysis failed: error rate 9%");

        var failing = ReleaseGroupDecider.Decide(group, releases, T0);

        Assert.Equal(GroupPhase.RollingBack, failing.State.Phase);
        Assert.Equal("checkout", failing.State.FailedMember);
        Assert.Equal("checkout v2 ended RolledBack: analysis failed: error rate 9%", failing.State.RollingBack);
        var revert = Assert.IsType<RevertMember>(Assert.Single(failing.Commands));
        Assert.Equal(("payments", "shop-1-payments-revert", "v1"), (revert.Service, revert.RevertId, revert.Version));

        // The revert runs: nothing more; it fails: another attempt; it succeeds: the group has rolled back.
        releases["shop-1-payments-revert"] = Release("shop-1-payments-revert", "payments", "v1");
        Assert.Empty(ReleaseGroupDecider.Decide(failing.State, releases, T0).Commands);
        releases["shop-1-payments-revert"] = Release("shop-1-payments-revert", "payments", "v1", ReleasePhase.Failed, rollingBack: "deploy failed");
        var retry = ReleaseGroupDecider.Decide(failing.State, releases, T0);
        Assert.Equal("shop-1-payments-revert-2", Assert.IsType<RevertMember>(Assert.Single(retry.Commands)).RevertId);
        releases["shop-1-payments-revert-2"] = Release("shop-1-payments-revert-2", "payments", "v1", ReleasePhase.Succeeded, 1);
        var ended = ReleaseGroupDecider.Decide(retry.State, releases, T0);
        Assert.Equal(GroupPhase.RolledBack, ended.State.Phase);
        Assert.Equal("group rolled back", ended.State.Events[^1].Action);
    }

    [Fact]
    public void AFailedRevert_IsTriedAgain_AfterABackoffThatDoublesUpToFiveMinutes()
    {
        Assert.Equal([5, 10, 20, 40, 80, 160, 300, 300], Enumerable.Range(1, 8).Select(n => ReleaseGroupDecider.RevertBackoff(n).TotalSeconds));
        var group = ReleaseGroupDecider.Abort(Started(Shop()) with { StartOrder = ["payments"], Members = [new("payments", "v2") { ReleaseId = "shop-1-payments", RevertId = "shop-1-payments-revert-2", RevertAttempts = 2 }, new("checkout", "v2")] }, "ops", T0)!;
        var failedAt = T0.AddMinutes(1);
        var releases = new Dictionary<string, ReleaseState>
        {
            ["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", ReleasePhase.Succeeded, 3),
            ["shop-1-payments-revert-2"] = Release("shop-1-payments-revert-2", "payments", "v1", ReleasePhase.Failed, rollingBack: "deploy failed")
                with { Events = [new ReleaseEvent(failedAt, 0, "failed", "controller", "deploy failed")] },
        };

        Assert.Empty(ReleaseGroupDecider.Decide(group, releases, failedAt.AddSeconds(9)).Commands);
        var third = ReleaseGroupDecider.Decide(group, releases, failedAt.AddSeconds(10));
        Assert.Equal(new RevertMember("payments", "shop-1-payments-revert-3", "v1", "aborted by ops"), Assert.Single(third.Commands));
    }

    [Fact]
    public void Abort_RollsBackTheRunningMembers_LastStartedFirst()
    {
        var group = Started(Shop(new WeightGate(50)));
        var releases = new Dictionary<string, ReleaseState>();
        group = ReleaseGroupDecider.Decide(group, releases, T0).State;
        releases["shop-1-payments"] = Release("shop-1-payments", "payments", "v2", step: 2, weight: 50);
        group = ReleaseGroupDecider.Decide(group, releases, T0).State;
        releases["shop-1-checkout"] = Release("shop-1-checkout", "checkout", "v2", step: 1, weight: 10);

        var aborted = ReleaseGroupDecider.Abort(group, "ops", T0)!;
        var first = ReleaseGroupDecider.Decide(aborted, releases, T0);
        Assert.Equal([new AbortMember("checkout", "shop-1-checkout", "aborted by ops")], first.Commands);

        releases["shop-1-checkout"] = Release("shop-1-checkout", "checkout", "v2", ReleasePhase.Aborted, 1, rollingBack: "aborted by ops");
        Assert.Equal([new AbortMember("payments", "shop-1-payments", "aborted by ops")], ReleaseGroupDecider.Decide(first.State, releases, T0).Commands);
        Assert.Null(ReleaseGroupDecider.Abort(first.State with { Phase = GroupPhase.RolledBack }, "ops", T0));
    }

    /// <summary>
    /// Any group, any outcomes, any crash: the group ends, and as it promised. Succeeded: every member's new version
    /// promoted, none reverted. RolledBack: every member it rolls back is back on its old version (never started, ended
    /// otherwise than promoted, or reverted). A member starts only once every member it waits for passed the gate, and
    /// promoted members are reverted last started first.
    /// </summary>
    [Fact]
    public void AnyGroup_AnyOutcomes_AnyCrash_EndsAsItsPhasePromises()
    {
        var gates = Gen.OneOf<MemberGate>(Gen.Const<MemberGate>(new PromotedGate()), Gen.Int[1, 3].Select(s => (MemberGate)new StepGate(s)), Gen.Int[10, 100].Select(w => (MemberGate)new WeightGate(w)));
        Gen.Select(ReleaseGroupGen.Acyclic, gates, Gen.Enum<MemberFailurePolicy>(), Gen.Int)
            .Sample((members, gate, policy, seed) => Run(new ReleaseGroupSpec { Members = members, Gate = gate, OnMemberFailure = policy }, new Random(seed)), iter: 300);
    }

    private static void Run(ReleaseGroupSpec spec, Random random)
    {
        var group = ReleaseGroupDecider.Start("g", "g", spec, spec.Members.ToDictionary(m => m.Service, _ => "v2"), "ci", T0);
        var world = new Dictionary<string, ReleaseState>();
        var reverted = new List<string>();
        var abortAt = random.Next(0, 3) == 0 ? random.Next(1, 40) : -1;
        var pauseAt = random.Next(0, 2) == 0 ? random.Next(1, 40) : -1;
        var resumeAt = pauseAt + random.Next(1, 20);
        var reached = new HashSet<(string Release, int Action)>();
        for (var round = 0; round < 2000 && !group.IsFinished; round++)
        {
            if (round == abortAt)
            {
                group = ReleaseGroupDecider.Abort(group, "ops", T0) ?? group;
            }

            if (round == pauseAt || round == resumeAt)
            {
                group = ReleaseGroupDecider.Act(group, round == pauseAt ? OperatorAction.Pause : OperatorAction.Resume, "ops", T0).Group ?? group;
            }

            var decision = ReleaseGroupDecider.Decide(group, world, T0);
            Assert.False(group.PausedBy is not null && decision.Commands.Any(c => c is StartMember), "a paused group started a member");
            var crash = random.Next(0, 10);
            if (crash == 0)
            {
                continue; // died before saving: nothing happened
            }

            group = decision.State;
            if (crash == 1)
            {
                continue; // died after saving, before carrying out: the next decision asks again
            }

            foreach (var command in decision.Commands)
            {
                switch (command)
                {
                    case StartMember start:
                        var member = spec.Members.Single(m => m.Service == start.Service);
                        Assert.All(member.After, a => Assert.True(ReleaseGroupPlan.PassedGate(spec.EffectiveGate, world[group.Member(a).ReleaseId!]), $"{start.Service} started before {a} passed the gate"));
                        world.TryAdd(start.ReleaseId, Release(start.ReleaseId, start.Service, start.Version));
                        break;
                    case AbortMember abort when world[abort.ReleaseId] is { IsFinished: false, RollingBack: null } running:
                        world[abort.ReleaseId] = running with { RollingBack = abort.Reason };
                        break;
                    case ActOnMember act:
                        // As ReleaseGroups does: the release's log says whether it had this action; then it is reached.
                        var number = group.Acting!.Number;
                        if (world.TryGetValue(act.ReleaseId, out var target) && reached.Add((act.ReleaseId, number)))
                        {
                            world[act.ReleaseId] = (act.Action, target) switch
                            {
                                (OperatorAction.Pause, { IsFinished: false, Phase: not ReleasePhase.Paused }) => target with { Phase = ReleasePhase.Paused },
                                (OperatorAction.Resume, { Phase: ReleasePhase.Paused }) => target with { Phase = ReleasePhase.Progressing },
                                _ => target,
                            };
                        }

                        group = ReleaseGroupDecider.Acted(group, number, act.Service);
                        break;
                    case RevertMember revert when !world.ContainsKey(revert.RevertId):
                        world[revert.RevertId] = Release(revert.RevertId, revert.Service, revert.Version);
                        reverted.Add(revert.Service);
                        break;
                }
            }

            Move(world, random);
        }

        Assert.True(group.IsFinished, $"the group did not end: {group.Phase}, {string.Join("; ", group.Events.Select(e => e.Reason))}");
        Assert.True(group.Acting is null or { Pending.Count: 0 }, $"group action {group.Acting?.Action} never reached {string.Join(", ", group.Acting?.Pending ?? [])}");
        var latest = group.Members.ToDictionary(m => m.Service, m => m.ReleaseId is { } id ? world.GetValueOrDefault(id) : null);
        if (group.Phase == GroupPhase.Succeeded)
        {
            Assert.All(group.Members, m => Assert.Equal(ReleasePhase.Succeeded, latest[m.Service]!.Phase));
            Assert.Empty(reverted);
            return;
        }

        var undone = group.FailedMember is { } failed && spec.EffectiveOnMemberFailure == MemberFailurePolicy.RollbackDependants
            ? [failed, .. ReleaseGroupOrder.Dependants(spec.Members, failed)]
            : spec.Members.Select(m => m.Service).ToHashSet();
        foreach (var member in group.Members.Where(m => undone.Contains(m.Service)))
        {
            var back = latest[member.Service] is not { } release
                || release.Phase != ReleasePhase.Succeeded
                || (member.RevertId is { } revertId && world.GetValueOrDefault(revertId)?.Phase == ReleasePhase.Succeeded);
            Assert.True(back, $"{member.Service}'s new version is still stable after the group rolled back");
        }

        // Reverted last started first (each service once, however many attempts).
        var order = reverted.Distinct().ToList();
        Assert.Equal(group.StartOrder.Reverse().Where(order.Contains), order);
    }

    /// <summary>Each running release moves one step at random: on, promoted, failed; one rolling back ends.</summary>
    private static void Move(Dictionary<string, ReleaseState> world, Random random)
    {
        // A paused release holds until it is resumed or aborted.
        foreach (var (id, release) in world.Where(r => !r.Value.IsFinished && (r.Value.Phase != ReleasePhase.Paused || r.Value.RollingBack is not null)).ToList())
        {
            world[id] = (release.RollingBack, random.Next(0, 6)) switch
            {
                ({ }, < 3) => release with { Phase = ReleasePhase.Aborted, CanaryWeight = 0 },
                ({ }, _) => release,
                (null, 0) => release with { Phase = ReleasePhase.Succeeded, Step = 3, CanaryWeight = 0 },
                (null, 1) when random.Next(0, 4) == 0 => release with { Phase = ReleasePhase.RolledBack, RollingBack = "analysis failed", CanaryWeight = 0 },
                _ => release with { Step = release.Step + 1, CanaryWeight = Math.Min(100, release.CanaryWeight + 25) },
            };
        }
    }
}
