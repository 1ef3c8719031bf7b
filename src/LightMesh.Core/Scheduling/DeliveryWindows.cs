namespace LightMesh.Core.Scheduling;

/// <summary>What the delivery windows say about a service at one moment.</summary>
/// <param name="Open">Whether its releases may start and advance.</param>
/// <param name="Freeze">The freeze that stops them, if one does.</param>
/// <param name="Reason">Why, in words, for the release's event log: which window, until when.</param>
/// <param name="NextChange">When this may change (a window opens, a freeze ends); null when nothing known will change it.</param>
public sealed record WindowVerdict(bool Open, string? Freeze, string Reason, DateTimeOffset? NextChange)
{
    public static readonly WindowVerdict Unrestricted = new(true, null, "no delivery window applies", null);
}

/// <summary>
/// Judges delivery windows: a freeze open now wins; otherwise, when the service has allow windows, one of them must be
/// open; a service with neither is never held.
/// </summary>
public static class DeliveryWindows
{
    public static WindowVerdict Evaluate(IEnumerable<DeliveryWindow> windows, string service, DateTimeOffset now)
    {
        var covering = windows.Where(w => w.Spec.Covers(service)).OrderBy(w => w.Name, StringComparer.Ordinal).ToList();
        var freezes = covering.Where(w => w.Spec.Type == WindowType.Freeze)
            .Select(w => (Window: w, Open: w.Spec.OpenAt(now)))
            .Where(f => f.Open is not null)
            .OrderByDescending(f => f.Open!.Value.Closes)
            .ToList();
        if (freezes.Count > 0)
        {
            var (freeze, frozen) = freezes[0];
            return new WindowVerdict(false, freeze.Name, $"freeze {freeze.Name} until {frozen!.Value.Closes:u}", frozen.Value.Closes);
        }

        var allows = covering.Where(w => w.Spec.Type == WindowType.Allow).ToList();
        if (allows.Count == 0)
        {
            return WindowVerdict.Unrestricted;
        }

        var opened = allows.Select(w => (Window: w, Open: w.Spec.OpenAt(now))).Where(a => a.Open is not null).OrderByDescending(a => a.Open!.Value.Closes).ToList();
        if (opened.Count > 0)
        {
            var (window, open) = opened[0];
            return new WindowVerdict(true, null, $"window {window.Name} open until {open!.Value.Closes:u}", open.Value.Closes);
        }

        var next = allows.Select(w => (Window: w, At: w.Spec.NextOpening(now))).Where(n => n.At is not null).OrderBy(n => n.At).FirstOrDefault();
        var names = string.Join(", ", allows.Select(w => w.Name));
        return next.Window is null
            ? new WindowVerdict(false, null, $"no window of {names} opens again", null)
            : new WindowVerdict(false, null, $"window {next.Window.Name} opens at {next.At:u}", next.At);
    }
}
