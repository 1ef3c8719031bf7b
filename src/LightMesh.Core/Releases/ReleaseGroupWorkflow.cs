using System.Text.Json.Serialization;
using LightMesh.Core.Documents;

namespace LightMesh.Core.Releases;

/// <summary>
/// Several services released as one unit (<c>kind: ReleaseGroupWorkflow</c>): its members, each an ordinary release of
/// one service with a workflow of its own, started in the order their <c>after</c> lists give; the gate a member must
/// reach before the members after it start; one analysis across the group; and what a member's failure rolls back.
/// </summary>
public sealed record ReleaseGroupWorkflow : Document
{
    public override DocumentKind Kind => DocumentKind.ReleaseGroupWorkflow;
    public required ReleaseGroupSpec Spec { get; init; }
}

/// <summary>The <c>spec</c> of a <see cref="ReleaseGroupWorkflow"/>.</summary>
public sealed record ReleaseGroupSpec
{
    /// <summary>The members in document order; no service twice, and their <c>after</c> lists form no cycle.</summary>
    public required IReadOnlyList<GroupMember> Members { get; init; }

    /// <summary>How far a member must get before the members after it start; <see cref="PromotedGate"/> unless set.</summary>
    public MemberGate? Gate { get; init; }

    /// <summary>Analysis run across the group at every member's step (end-to-end errors, say); none when unset.</summary>
    public AnalysisStep? Analysis { get; init; }

    /// <summary>What a member's failure rolls back; <see cref="MemberFailurePolicy.RollbackAll"/> unless set.</summary>
    public MemberFailurePolicy? OnMemberFailure { get; init; }

    /// <summary>URLs told of every transition of a group release (its log's events), in order; the members' own go to their workflows' URLs.</summary>
    public IReadOnlyList<string> Notifications { get; init; } = [];

    /// <summary>The gate in force: <see cref="Gate"/>, or <see cref="PromotedGate"/> when unset.</summary>
    public MemberGate EffectiveGate => Gate ?? new PromotedGate();

    /// <summary>The policy in force: <see cref="OnMemberFailure"/>, or <see cref="MemberFailurePolicy.RollbackAll"/> when unset.</summary>
    public MemberFailurePolicy EffectiveOnMemberFailure => OnMemberFailure ?? MemberFailurePolicy.RollbackAll;
}

/// <summary>One member: a release of <see cref="Service"/> with <see cref="Workflow"/>, started once every member it is <see cref="After"/> has passed the gate.</summary>
public sealed record GroupMember(string Service, string Workflow, IReadOnlyList<string> After);

/// <summary>How far a member must get for the members after it to start.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "gate")]
[JsonDerivedType(typeof(PromotedGate), "promoted")]
[JsonDerivedType(typeof(StepGate), "step")]
[JsonDerivedType(typeof(WeightGate), "weight")]
public abstract record MemberGate
{
    /// <summary>As written in a document: <c>promoted</c>, <c>step N</c>, <c>weight W</c>.</summary>
    public abstract string Text { get; }
}

/// <summary>The member's release has ended <see cref="ReleasePhase.Succeeded"/>: the new version is stable.</summary>
public sealed record PromotedGate : MemberGate
{
    public override string Text => "promoted";
}

/// <summary>The member's release has finished its step <see cref="Step"/> (counted from 1, as people count them).</summary>
public sealed record StepGate(int Step) : MemberGate
{
    public override string Text => $"step {Step}";
}

/// <summary>The member's canary takes at least <see cref="Weight"/> percent of the traffic.</summary>
public sealed record WeightGate(int Weight) : MemberGate
{
    public override string Text => $"weight {Weight}";
}

/// <summary>What a member's failure rolls back.</summary>
public enum MemberFailurePolicy
{
    /// <summary>Every member that moved traffic or promoted, in reverse order: all or nothing.</summary>
    RollbackAll,

    /// <summary>The failed member and every member after it (directly or not); the members before it stay.</summary>
    RollbackDependants,
}
