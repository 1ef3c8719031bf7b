namespace LightMesh.Bench;

/// <summary>The answer to one delivery: its status (0 if none came), the release it names, the problem, and how long it took.</summary>
internal sealed record HookAnswer(HookDelivery Delivery, DeliveryKind Kind, int Status, string? Release, bool Duplicate, string? Problem, double Milliseconds)
{
    public AnswerKind Outcome => Status switch
    {
        202 when Release is not null => Duplicate ? AnswerKind.Duplicate : AnswerKind.Started,
        409 when Problem?.Contains("still being handled", StringComparison.Ordinal) == true => AnswerKind.Pending,
        409 when Problem?.Contains("active release", StringComparison.Ordinal) == true => AnswerKind.Busy,
        409 when Problem?.Contains("became active at the same moment", StringComparison.Ordinal) == true => AnswerKind.Busy,

        // A delivery refused while its service was busy, sent again after the service's releases went round to its
        // version: right to refuse, and what CI would be told for so old a build.
        400 when Kind == DeliveryKind.Later && Problem?.Contains("is already the stable version", StringComparison.Ordinal) == true => AnswerKind.Outdated,
        _ => AnswerKind.Error,
    };
}
