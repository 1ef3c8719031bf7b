namespace LightMesh.Bench;

/// <summary>Whether a delivery is sent for the first time, or again while the first is still unanswered, or again after.</summary>
internal enum DeliveryKind
{
    First,
    Concurrent,
    Later,
}
