using System.Globalization;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;
using LightMesh.Host.Api;

namespace LightMesh.Demo;

/// <summary>
/// Turns what the API says of releases (and of a group release), read again and again, into the demo's timeline: each
/// new event and each new analysis measurement once, and the traffic as the client saw it. With
/// <paramref name="namesServices"/>, each line names its service too (a group's members are several services). Pure: it
/// only remembers what it has told.
/// </summary>
public sealed class ReleaseNarrator(DateTimeOffset origin, bool namesServices = false)
{
    private readonly Dictionary<(string Release, int Step, bool Background, string Template, string Metric), int> _measurementsTold = [];
    private readonly Dictionary<string, int> _eventsTold = new(StringComparer.Ordinal);

    /// <summary>The lines <paramref name="release"/> adds to the timeline since the last call: its new events and measurements, in time order.</summary>
    public IReadOnlyList<string> Tell(ReleaseView release)
    {
        var lines = new List<(DateTimeOffset At, string Text)>();
        var who = namesServices ? $"{release.Service,-9} {release.Version,-4}" : $"{release.Version,-4}";
        foreach (var e in release.Events.Skip(_eventsTold.GetValueOrDefault(release.Id)))
        {
            var step = e.Action == ReleaseEvents.Started || e.Step >= release.StepCount ? "" : StepOf(e.Step, release);
            lines.Add((e.At, $"{Clock(e.At)}  {who} {step,-11} {e.Action,-16} {e.Reason}".TrimEnd()));
        }

        _eventsTold[release.Id] = release.Events.Count;
        foreach (var analysis in release.Analyses)
        {
            // A step's analysis is saved when it ends, all its measurements at once: one line for them, at the time of the last.
            var key = (release.Id, analysis.Step, analysis.Background, analysis.Template, analysis.Metric);
            var told = _measurementsTold.GetValueOrDefault(key);
            var fresh = analysis.Measurements.Skip(told).ToList();
            if (fresh.Count > 0)
            {
                var where = analysis.Background ? "background" : StepOf(analysis.Step, release);
                var values = string.Join(" ", fresh.Select(m => Value(m.Value)));
                var verdicts = string.Join(" ", fresh.Select(m => m.Phase).Distinct().Select(Verdict));
                lines.Add((fresh[^1].At, $"{Clock(fresh[^1].At)}  {who} {where,-11} {"measured",-16} {analysis.Metric}: {values}  {verdicts}"));
            }

            _measurementsTold[key] = analysis.Measurements.Count;
        }

        return lines.OrderBy(l => l.At).Select(l => l.Text).ToList();
    }

    /// <summary>The lines the log of <paramref name="group"/> adds to the timeline since the last call: its new events, in order.</summary>
    public IReadOnlyList<string> Tell(GroupView group)
    {
        var key = $"group {group.Id}";
        var lines = group.Events.Skip(_eventsTold.GetValueOrDefault(key))
            .Select(e => $"{Clock(e.At)}  {"group " + group.Workflow,-14} {"",-11} {e.Action,-16} {e.Reason}".TrimEnd())
            .ToList();
        _eventsTold[key] = group.Events.Count;
        return lines;
    }

    /// <summary>
    /// One line of traffic: the weights the release set, and how the client's calls actually went by version; to
    /// <paramref name="service"/>, when the demo calls several.
    /// </summary>
    public string Traffic(DateTimeOffset now, ReleaseView? release, TrafficWindow window, string? service = null)
    {
        var label = service is null ? "traffic" : $"traffic {service}";
        var weights = release switch
        {
            null => "",
            { RollingBack: not null } => $"rolling {release.Version} back   ",
            { StepType: "promote" } => $"promoting {release.Version}   ",
            { Weights.Canary: 0 } when release.HeaderRoutes?.Any(r => r.Name == ReleaseStrategies.PreviewRoute) == true => $"preview {release.Version} by its header only   ",
            _ => $"weights {release.StableVersion} {release.Weights.Stable} / {release.Version} {release.Weights.Canary}   ",
        };
        if (window.Total == 0)
        {
            return $"{Clock(now)}  {label,-16} {weights}no calls answered{(window.LastFailure is null ? "" : $" ({window.LastFailure})")}";
        }

        var shares = string.Join("  ", window.Versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v =>
            string.Create(CultureInfo.InvariantCulture, $"{v.Key} {100.0 * v.Value.Total / window.Total,3:0}% ({100.0 * v.Value.Failed / Math.Max(1, v.Value.Total):0.0}% errors)")));
        var lost = window.Unattributed > 0 ? $"  {window.Unattributed} failed unanswered ({window.LastFailure})" : "";
        return $"{Clock(now)}  {label,-16} {weights}calls: {shares}{lost}";
    }

    /// <summary>A step as people count them: the first is 1 (the API counts from 0).</summary>
    private static string StepOf(int index, ReleaseView release) => $"step {index + 1}/{release.StepCount}";

    /// <summary>Minutes and seconds since the demo began.</summary>
    public string Clock(DateTimeOffset at)
    {
        var since = at - origin;
        if (since < TimeSpan.Zero)
        {
            since = TimeSpan.Zero;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(int)since.TotalMinutes,2}:{since.Seconds:00}");
    }

    private static string Value(double value) =>
        double.IsNaN(value) ? "no data" : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Verdict(MeasurementPhase phase) => phase switch
    {
        MeasurementPhase.Successful => "ok",
        MeasurementPhase.Failed => "FAILED",
        MeasurementPhase.Inconclusive => "inconclusive",
        _ => "error",
    };
}
