using CsCheck;
using LightMesh.Core.Analysis;
using LightMesh.Core.Parsing;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

/// <summary>
/// The decider's promises, checked over generated histories: mostly the outcomes the engine would report for each
/// command, mixed with every other input at any moment (operators, timers, windows, late and stale outcomes). A failing
/// case prints CsCheck's seed (<c>Set seed: "..."</c>); pass it as <c>seed:</c> to <c>Sample</c>, or set the
/// environment variable <c>CsCheck_Seed</c>, to replay it.
/// </summary>
public sealed class ReleaseDeciderPropertyTests
{
    internal static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Workflows =
    [
        "  - deploy: {}\n  - setWeight: 20\n  - pause: {duration: 1m}\n  - analysis: {templates: [t]}\n  - setWeight: 50\n  - promote: {}\n",
        "  - deploy: {replicas: 2}\n  - setWeight: 10\n  - approval: {}\n  - pause: {}\n  - promote: {}\n",
        "  - deploy: {}\n  - setWeight: 30\n  - webhook: {url: 'http://127.0.0.1:1/'}\n  - setWeight: 60\n",
        "  - deploy: {}\n  - analysis: {templates: [t]}\n",
        "  - deploy: {}\n  - setHeaderRoute: {name: b, match: [{headerName: x-b, headerValue: {exact: '1'}}]}\n  - setWeight: 30\n  - approval: {}\n  - setHeaderRoute: {name: b}\n  - setHeaderRoute: {name: c, match: [{cookieName: c, cookieValue: {prefix: v}}]}\n  - promote: {}\n",
        "  - deploy: {}\n  - setMirrorRoute: {name: m, percentage: 50}\n  - setHeaderRoute: {name: b, match: [{headerName: x-b, headerValue: {exact: '1'}}]}\n  - setMirrorRoute: {name: n, percentage: 5, match: [{uri: {prefix: /api}}]}\n  - pause: {}\n  - setMirrorRoute: {name: m}\n  - setWeight: 40\n  - promote: {}\n",
        "  - deploy: {}\n  - setWeight: 30\n  - pause: {duration: 30s}\n  - promote: {steps: [20, 60, 100], interval: 1m}\n",
        "  - deploy: {}\n  - setWeight: 50\n  - promote: {}\n  postPromotionAnalysis: {templates: [t]}\n  rollbackWindow: {duration: 10m}\n",
    ];

    internal static readonly Gen<ReleaseWorkflowSpec> Workflow = Gen.Int[0, Workflows.Length - 1].Select(i => Workflows[i]).Select(Gen.Bool, Gen.Bool, (steps, deadline, background) =>
        ((ReleaseWorkflow)DocumentParser.Parse(
            $"apiVersion: lightmesh.io/v1\nkind: ReleaseWorkflow\nmetadata: {{name: w}}\nspec:\n{(deadline ? "  progressDeadline: 10m\n" : "")}{(background ? "  backgroundAnalysis: {templates: [t], startingStep: 1}\n" : "")}  steps:\n{steps}",
            "w.yaml").Documents.Single().Document).Spec);

    /// <summary>What happens next: the outcome the engine would report for the pending command, or any other input.</summary>
    internal sealed record Happening(int Kind, int Pick, int Seconds);

    internal static readonly Gen<Happening> Happenings = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1000], Gen.Int[0, 400], (kind, pick, seconds) => new Happening(kind, pick, seconds));

    [Fact]
    public void Decide_AnyHistory_KeepsThePromisesOfEveryPhase() =>
        Workflow.Select(Happenings.Array[1, 60]).Sample((spec, happenings) =>
        {
            var now = T0;
            var d = ReleaseDecider.Start("r1", "checkout", "v2", "v1", "w", spec, "ci", now);
            var promoted = new List<PromotionMove>();
            var rolledBack = new List<RollbackMove>();
            foreach (var happening in happenings)
            {
                now = now.AddSeconds(happening.Seconds);
                var input = InputFor(d.State, happening, now);
                var before = d.State;
                d = ReleaseDecider.Decide(before, input, now);
                Check(before, input, d, now, promoted, rolledBack);
            }
        }, iter: 3000);

    private static void Check(ReleaseState before, ReleaseInput input, ReleaseDecision d, DateTimeOffset now, List<PromotionMove> promoted, List<RollbackMove> rolledBack)
    {
        var after = d.State;
        if (d.Refused is not null)
        {
            Assert.Same(before, after);
        }

        if (before.IsFinished)
        {
            Assert.Same(before, after);
            return;
        }

        if (before.RollingBack is not null)
        {
            Assert.NotNull(after.RollingBack);
            Assert.NotEqual(ReleasePhase.Succeeded, after.Phase);
        }

        if (input is PromotionMoved moved && !ReferenceEquals(before, after))
        {
            promoted.Add(moved.Move);
        }

        if (input is RollbackMoved undone && !ReferenceEquals(before, after))
        {
            rolledBack.Add(undone.Move);
        }

        if (before.RollingBack is null && after.RollingBack is not null)
        {
            rolledBack.Clear();
            // It restores the stable version first exactly when a promotion may have moved it; otherwise its first write
            // sends stable all the traffic.
            var first = ReleaseMoves.MayHaveMovedStable(before) ? RollbackMove.StableRestored : RollbackMove.StableTakesAll;
            Assert.Equal(new RollBack(first, after.RollingBack), d.Command);
        }

        switch (after.Phase)
        {
            case ReleasePhase.Succeeded:
                // Succeeded only once every move of the promotion was reported done, in order.
                var moves = new List<PromotionMove>();
                for (PromotionMove? move = ReleaseMoves.FirstPromotion; move is { } m; move = ReleaseMoves.After(m, after.Spec))
                {
                    moves.Add(m);
                }

                Assert.Equal(moves, promoted.TakeLast(moves.Count));
                Assert.Null(after.RollingBack);
                break;
            case ReleasePhase.RolledBack or ReleasePhase.Aborted or ReleasePhase.Failed:
                // Ended only once every move of the rollback was reported done, in order: restoring the stable version
                // first when a promotion may have moved it.
                Assert.Equal(Enum.GetValues<RollbackMove>().Where(m => m != RollbackMove.StableRestored || ReleaseMoves.MayHaveMovedStable(after)), rolledBack);
                Assert.Equal(after.EndingPhase, after.Phase);
                break;
            case ReleasePhase.Paused:
                Assert.NotNull(after.PausedFor);
                Assert.Null(after.RollingBack);
                Assert.IsType<WaitForOperator>(ReleaseDecider.Pending(after, now));
                break;
            default:
                Assert.Null(after.PausedFor);
                break;
        }

        // A promotion is recorded only on the promote step (or past the last step), and a rollback only while rolling back.
        Assert.True(after.Promotion is null || after.CurrentStep is PromoteStep or null, $"promotion {after.Promotion} recorded at step {after.Step} ({after.CurrentStep?.Type})");
        Assert.Equal(after.RollingBack is not null && !after.IsFinished, after.Rollback is not null && !after.IsFinished);
        Assert.True(after.Events.Zip(after.Events.Skip(1)).All(pair => pair.First.At <= pair.Second.At), "events out of time order");

        // The header and mirror routes in force are those the steps carried out set and did not remove; none once the release ends.
        var expected = after.Events.Where(e => ReleaseEvents.IsStepDone(e) && e.Step < after.Spec.Steps.Count && after.Spec.Steps[e.Step] is ReleaseRouteStep)
            .Select(e => (ReleaseRouteStep)after.Spec.Steps[e.Step])
            .Aggregate(new List<ReleaseRouteStep>(), (routes, step) => [.. routes.Where(r => r.Name != step.Name), .. step.Removes ? [] : new[] { step }]);
        string[] Names<T>() => after.IsFinished ? [] : [.. expected.OfType<T>().Cast<ReleaseRouteStep>().Select(r => r.Name)];
        Assert.Equal(Names<SetHeaderRouteStep>(), after.HeaderRoutes.Select(r => r.Name).ToArray());
        Assert.Equal(Names<SetMirrorRouteStep>(), after.MirrorRoutes.Select(r => r.Name).ToArray());
    }

    /// <summary>Mostly what the engine reports for the pending command; otherwise any input, including late and stale ones.</summary>
    internal static ReleaseInput InputFor(ReleaseState state, Happening h, DateTimeOffset now)
    {
        var actions = Enum.GetValues<OperatorAction>();
        return h.Kind switch
        {
            < 5 => ReleaseDecider.Pending(state, now) switch
            {
                DeployCanary or SetCanaryWeight or SetReleaseRoute or CallWebhook => h.Pick % 10 == 0 ? new StepFailed(state.Step, "boom") : new StepSucceeded(state.Step),
                RunAnalysis => new AnalysisEnded(state.Step, (AnalysisPhase)(1 + (h.Pick % 4)), "measured"),
                Promote promote => h.Pick % 7 == 0 ? new StepInterrupted(state.Step, "docker unreachable", now.AddSeconds(5)) : new PromotionMoved(state.Step, promote.Move),
                RollBack rollBack => h.Pick % 7 == 0 ? new StepInterrupted(state.Step, "etcd unreachable", now.AddSeconds(5)) : new RollbackMoved(rollBack.Move),
                RestoreRoutes => new RoutesRestored(),
                _ => new TimerFired(),
            },
            5 => new OperatorInput(actions[h.Pick % actions.Length], "ops"),
            6 => (h.Pick % 4) switch
            {
                0 => new WindowClosed("freeze"),
                1 => new WindowOpened("open"),
                2 => new RoutesChanged("admin", "forced"),
                _ => new BackgroundAnalysisFailed("5xx"),
            },
            7 => new StepInterrupted(state.Step, "node busy", now.AddSeconds(h.Pick % 30), TimeSpan.FromSeconds(60)),
            8 => (h.Pick % 3) switch
            {
                0 => new PromotionMoved(h.Pick % 6, (PromotionMove)(h.Pick % 5)),
                1 => new RollbackMoved((RollbackMove)(h.Pick % 3)),
                _ => new StepSucceeded(h.Pick % 6),
            },
            _ => new TimerFired(),
        };
    }
}
