namespace LightMesh.Core.Releases;

/// <summary>
/// One metric of one analysis a release ran: where (step, or background), its outcome and its measurements. A release's
/// state keeps it as a summary, without measurements, so the state stays small however long the release measures.
/// </summary>
public sealed record AnalysisRecord(int Step, bool Background, string Template, string Metric, Analysis.AnalysisPhase Phase, string Message, IReadOnlyList<Analysis.Measurement> Measurements)
{
    /// <summary>How many measurements were taken; <see cref="Measurements"/> holds the newest of them that are kept (none in a summary).</summary>
    public int Measured { get; init; } = Measurements.Count;

    /// <summary>The record with only its newest <paramref name="count"/> measurements; <see cref="Measured"/> still counts them all.</summary>
    public AnalysisRecord KeepingLast(int count) => Measurements.Count <= count ? this : this with { Measurements = Measurements.Skip(Measurements.Count - count).ToList() };

    /// <summary>The record without its measurements, as a release's state keeps it.</summary>
    public AnalysisRecord ToSummary() => Measurements.Count == 0 ? this : this with { Measurements = [] };
}
