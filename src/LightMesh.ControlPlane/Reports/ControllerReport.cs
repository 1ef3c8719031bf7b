using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LightMesh.ControlPlane.Reports;

/// <summary>
/// What one controller tells the others about itself, in <c>controlplanes/{name}</c> under its own lease: the proxies
/// connected to it and what each has ACKed. The leader's convergence waits read these; a controller that dies, or that
/// cannot keep its lease, has its report removed by etcd, and its proxies become unknown.
/// </summary>
/// <param name="Name">The controller's name (its <c>--name</c>).</param>
/// <param name="Xds">The xDS address its proxies connect to.</param>
/// <param name="WatchRevision">The etcd revision its watch had reached when it wrote this.</param>
/// <param name="SnapshotRevision">The revision of the snapshot it serves.</param>
/// <param name="ReportedAt">When it wrote this.</param>
/// <param name="Overflowed">
/// Set (to the number of its proxies) instead of <paramref name="Proxies"/> when the list would be too large for one etcd
/// value: then none of its proxies can be vouched for.
/// </param>
/// <remarks>
/// Stored as UTF-8 JSON, or, when that is larger than a report may be, as the gzip of it (<see cref="Compress"/>):
/// the JSON of a proxy compresses about tenfold, so one value holds tens of thousands of proxies instead of about 7000.
/// A reader tells the two apart by gzip's first two bytes, which JSON never starts with.
/// </remarks>
public sealed record ControllerReport(string Name, string Xds, long WatchRevision, long SnapshotRevision, DateTimeOffset ReportedAt, IReadOnlyList<ReportedProxy> Proxies, int Overflowed = 0)
{
    /// <summary>The most a compressed report is read back to: a stored value that inflates beyond it is not read.</summary>
    public const int MaxInflatedBytes = 64 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes what <see cref="ToJson"/> says, as UTF-8, to <paramref name="buffer"/>.</summary>
    public void WriteJson(IBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(writer, this, Json);
    }

    /// <summary>
    /// True when <paramref name="other"/> says the same to a convergence wait (the same proxies, each the same, and the
    /// same snapshot), whatever the fields that change on every write.
    /// </summary>
    public bool SaysTheSameAs(ControllerReport? other) =>
        other is not null && Name == other.Name && Xds == other.Xds && SnapshotRevision == other.SnapshotRevision && Overflowed == other.Overflowed
        && Proxies.Count == other.Proxies.Count && Proxies.Zip(other.Proxies).All(p => ReferenceEquals(p.First, p.Second) || p.First.SaysTheSameAs(p.Second));

    /// <summary>
    /// Writes the gzip of <paramref name="json"/> (a report's <see cref="WriteJson"/>) to <paramref name="into"/>, which
    /// is emptied first, and returns what it holds.
    /// </summary>
    public static ReadOnlyMemory<byte> Compress(ReadOnlySpan<byte> json, MemoryStream into)
    {
        into.SetLength(0);
        using (var gzip = new GZipStream(into, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return into.GetBuffer().AsMemory(0, (int)into.Length);
    }

    /// <summary>The report a stored value holds, or null when it holds none (a value written by something else is not trusted).</summary>
    public static ControllerReport? Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// The report a stored value holds, as JSON or compressed (see the remarks), or null when it holds none: a value
    /// written by something else is not trusted, nor one that inflates beyond <see cref="MaxInflatedBytes"/>.
    /// </summary>
    public static ControllerReport? Read(ReadOnlySpan<byte> stored)
    {
        try
        {
            var report = stored is [0x1f, 0x8b, ..]
                ? Inflate(stored) is { } json ? JsonSerializer.Deserialize<ControllerReport>(json, Json) : null
                : JsonSerializer.Deserialize<ControllerReport>(stored, Json);
            return report is { Name.Length: > 0 }
                ? report with { Xds = report.Xds ?? "", Proxies = [.. (report.Proxies ?? []).Where(p => p is not null).Select(p => p.Normalized())] }
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>What a gzip value inflates to, or null when that is more than <see cref="MaxInflatedBytes"/>.</summary>
    private static byte[]? Inflate(ReadOnlySpan<byte> stored)
    {
        using var gzip = new GZipStream(new MemoryStream(stored.ToArray()), CompressionMode.Decompress);
        using var json = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = gzip.Read(chunk)) > 0)
        {
            if (json.Length + read > MaxInflatedBytes)
            {
                return null;
            }

            json.Write(chunk, 0, read);
        }

        return json.ToArray();
    }
}

/// <summary>One proxy as its controller reports it.</summary>
/// <param name="Node">The Node whose proxy token the stream showed; null for an anonymous one.</param>
/// <param name="Services">The services it uses; empty when <paramref name="AllServices"/>.</param>
/// <param name="AllServices">It takes every service there is (an Envoy sidecar's wildcard subscriptions).</param>
/// <param name="Nacks">The last rejection of each resource type that has one.</param>
public sealed record ReportedProxy(
    string NodeId,
    string StreamId,
    string UserAgent,
    long ConvergedRevision,
    IReadOnlyList<string> Services,
    bool AllServices = false,
    string? Node = null,
    IReadOnlyList<ReportedNack>? Nacks = null)
{
    /// <summary>A connected proxy's status as its controller reports it (its services left out when it takes them all).</summary>
    public static ReportedProxy From(Xds.Protocol.ProxyStatus status) => new(
        status.NodeId, status.StreamId, status.UserAgent, status.ConvergedRevision, status.AllServices ? [] : status.Services, status.AllServices, status.Node,
        ReportedNack.Of(status.Types) is { Count: > 0 } nacks ? nacks : null);

    /// <summary>True when <paramref name="other"/> says the same of its proxy, field by field.</summary>
    public bool SaysTheSameAs(ReportedProxy other) =>
        NodeId == other.NodeId && StreamId == other.StreamId && UserAgent == other.UserAgent && ConvergedRevision == other.ConvergedRevision
        && AllServices == other.AllServices && Node == other.Node && Services.SequenceEqual(other.Services, StringComparer.Ordinal)
        && (Nacks ?? []).SequenceEqual(other.Nacks ?? []);

    /// <summary>True when a change to <paramref name="service"/> is one this proxy must take before it has converged.</summary>
    public bool Uses(string service) => AllServices || Services.Contains(service, StringComparer.Ordinal);

    internal ReportedProxy Normalized() => this with
    {
        NodeId = NodeId ?? "", StreamId = StreamId ?? "", UserAgent = UserAgent ?? "", Services = [.. (Services ?? []).Where(s => s is not null)],
        Nacks = Nacks?.Where(n => n is not null).Select(n => n with { Type = n.Type ?? "", Version = n.Version ?? "", Error = n.Error ?? "" }).ToList() is { Count: > 0 } nacks ? nacks : null,
    };
}

/// <summary>A proxy's last rejection of a resource type: the version it refused and why.</summary>
public sealed record ReportedNack(string Type, string Version, string Error)
{
    /// <summary>The last rejection of each of <paramref name="types"/> that has one.</summary>
    public static IReadOnlyList<ReportedNack> Of(IEnumerable<Xds.Protocol.TypeStatus> types) =>
        [.. types.Where(t => t.LastNackError is not null).Select(t => new ReportedNack(t.Type, t.LastNackVersion ?? "", t.LastNackError!))];
}
