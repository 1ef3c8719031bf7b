namespace LightMesh.Bench;

/// <summary>What the controller made of one delivery.</summary>
internal enum AnswerKind
{
    /// <summary>202: a release was started.</summary>
    Started,

    /// <summary>202 with <c>duplicate: true</c>: this delivery had started the release already.</summary>
    Duplicate,

    /// <summary>409: the service had another active release; nothing started, the delivery may be sent again.</summary>
    Busy,

    /// <summary>409: the same delivery was still being handled after the controller's wait for it.</summary>
    Pending,

    /// <summary>400 to a delivery sent again later, once its version had become the stable one: it was refused as busy at first.</summary>
    Outdated,

    /// <summary>Any other answer, or none.</summary>
    Error,
}
