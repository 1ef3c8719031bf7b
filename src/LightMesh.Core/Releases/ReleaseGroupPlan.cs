namespace LightMesh.Core.Releases;

/// <summary>
/// What a running group does next, from its members' releases, as pure functions: which members start now (those whose
/// every <c>after</c> member has passed the gate), which member failed the group, and which members its failure rolls
/// back, last started first.
/// </summary>
public static class ReleaseGroupPlan
{
    /// <summary>
    /// Whether <paramref name="release"/> has got as far as <paramref name="gate"/> for the members after it to start:
    /// promoted; past step N (its step index N or beyond, or promoted); or its canary at weight W or more (or promoted).
    /// A release rolling back, or ended otherwise than promoted, has not.
    /// </summary>
    public static bool PassedGate(MemberGate gate, ReleaseState release) =>
        release.Phase == ReleasePhase.Succeeded
        || (release.RollingBack is null && !release.IsFinished && gate switch
        {
            StepGate { Step: var step } => release.Step >= step,
            WeightGate { Weight: var weight } => release.CanaryWeight >= weight,
            _ => false,
        });

    /// <summary>
    /// The members to start now, in document order: not started yet (no release in <paramref name="started"/>), and every
    /// member they wait for started and past the gate. None once a member has failed the group.
    /// </summary>
    public static IReadOnlyList<GroupMember> ToStart(ReleaseGroupSpec spec, IReadOnlyDictionary<string, ReleaseState> started) =>
        FailedMember(spec, started) is not null
            ? []
            : [.. spec.Members.Where(m => !started.ContainsKey(m.Service)
                && m.After.All(a => started.TryGetValue(a, out var before) && PassedGate(spec.EffectiveGate, before)))];

    /// <summary>The first member, in document order, whose release ended other than promoted: it failed the group. Null while none has.</summary>
    public static GroupMember? FailedMember(ReleaseGroupSpec spec, IReadOnlyDictionary<string, ReleaseState> started) =>
        spec.Members.FirstOrDefault(m => started.TryGetValue(m.Service, out var release) && release.IsFinished && release.Phase != ReleasePhase.Succeeded);

    /// <summary>
    /// The members <paramref name="failed"/>'s failure rolls back, last started first (<paramref name="startOrder"/> lists
    /// the members' services in the order they started): under <see cref="MemberFailurePolicy.RollbackAll"/> (the default)
    /// every other member started; under <see cref="MemberFailurePolicy.RollbackDependants"/>, those started that start
    /// after it, directly or through others.
    /// </summary>
    public static IReadOnlyList<string> ToRollBack(ReleaseGroupSpec spec, string failed, IReadOnlyList<string> startOrder)
    {
        var dependants = spec.EffectiveOnMemberFailure == MemberFailurePolicy.RollbackDependants ? ReleaseGroupOrder.Dependants(spec.Members, failed) : null;
        return [.. startOrder.Reverse().Where(s => s != failed && (dependants is null || dependants.Contains(s)))];
    }
}
