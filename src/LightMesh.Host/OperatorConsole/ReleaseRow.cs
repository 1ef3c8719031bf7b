using System.Globalization;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Host.OperatorConsole;

/// <summary>
/// A release as a row of the console's list: service, <c>stable -> new</c>, phase, step as "3/8 (analysis)", the weights,
/// who started it, its age, and why it is where it is, all in words (a colour only repeats them).
/// </summary>
public sealed record ReleaseRow(
    string Id, string Service, string Versions, ReleasePhase Phase, string Step, WeightsView Weights, string StartedBy, string Age, string Why)
{
    public static ReleaseRow Of(ReleaseState release, DateTimeOffset now)
    {
        var view = ReleaseView.Summary(release);
        return new ReleaseRow(
            view.Id, view.Service, $"{view.StableVersion} -> {view.Version}", view.Phase, ReleaseText.Step(view), view.Weights, view.StartedBy,
            AgeOf(now - view.StartedAt), ReleaseText.Why(view));
    }

    /// <summary>How long something took, to the second under an hour: "45s", "12m 05s", "3h 5m".</summary>
    public static string LengthOf(TimeSpan length) => length switch
    {
        { TotalHours: >= 1 } or { Ticks: < 0 } => AgeOf(length),
        { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)length.TotalMinutes}m {length.Seconds:00}s"),
        _ => $"{(int)length.TotalSeconds}s",
    };

    /// <summary>An age as people say it: "45s", "12m", "3h 5m", "2d 4h".</summary>
    public static string AgeOf(TimeSpan age) => age switch
    {
        { TotalSeconds: < 0 } => "0s",
        { TotalMinutes: < 1 } => $"{(int)age.TotalSeconds}s",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes}m",
        { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h {age.Minutes}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d {age.Hours}h"),
    };
}
