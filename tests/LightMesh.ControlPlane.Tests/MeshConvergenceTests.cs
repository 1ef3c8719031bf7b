using System.Buffers;
using System.Text;
using CsCheck;
using LightMesh.ControlPlane.Reports;

namespace LightMesh.ControlPlane.Tests;

/// <summary>The convergence rule across controllers, on generated meshes: reporting, gone and overflowing controllers.</summary>
public sealed class MeshConvergenceTests
{
    private const string Service = "checkout";
    private static readonly string[] Nodes = ["", "n1", "n2", "n3", "n4"];
    private static readonly string[] Controllers = ["a", "b", "c", "d"];

    private static readonly Gen<ReportedProxy> Proxy = Gen.Select(
        Gen.OneOf(Nodes), Gen.Int[0, 99], Gen.Long[0, 12], Gen.Int[0, 3],
        (node, stream, revision, uses) => new ReportedProxy(
            node, $"ads-{stream}", "test", revision, uses switch { 0 => [], 1 => ["payments"], _ => [Service, "payments"] }, AllServices: uses == 3));

    private static readonly Gen<ControllerReport> Report = Gen.Select(
        Gen.OneOf(Controllers), Proxy.List[0, 4], Gen.Int[0, 9],
        (name, proxies, overflow) => new ControllerReport(name, "127.0.0.1:1", 0, 0, DateTimeOffset.UnixEpoch, proxies, overflow == 0 ? proxies.Count + 1 : 0));

    [Fact]
    public void Evaluate_ConvergesExactlyWhenNoProxyThatUsesTheServiceMayHoldAnOlderRevision() =>
        Gen.Select(Gen.Long[1, 10], Gen.Long[0, 12], Report.List[0, 3], Report.List[0, 3]).Sample((revision, published, reportingAll, gone) =>
        {
            var reporting = reportingAll.DistinctBy(r => r.Name).ToList();
            var result = MeshConvergence.Evaluate(revision, Service, published, reporting, gone);

            // The rule, stated proxy by proxy.
            var behind = new List<string>();
            var users = 0;
            foreach (var report in reporting)
            {
                if (report.Overflowed > 0)
                {
                    behind.Add($"{report.Name}: overflowed");
                }

                foreach (var proxy in report.Proxies.Where(p => p.AllServices || p.Services.Contains(Service)))
                {
                    users++;
                    if (proxy.ConvergedRevision < revision)
                    {
                        behind.Add($"{proxy.NodeId} on {report.Name}");
                    }
                }
            }

            foreach (var report in gone)
            {
                if (reporting.Any(r => r.Name == report.Name))
                {
                    continue;
                }

                foreach (var proxy in report.Proxies)
                {
                    var reappeared = proxy.NodeId != "" && reporting.Any(r => r.Proxies.Any(p => p.NodeId == proxy.NodeId));
                    if ((proxy.AllServices || proxy.Services.Contains(Service)) && !reappeared)
                    {
                        users++;
                        if (proxy.ConvergedRevision < revision)
                        {
                            behind.Add($"{proxy.NodeId} on {report.Name} (gone)");
                        }
                    }
                }
            }

            // This controller's snapshot is waited for only when some proxy uses the service: no proxy, no wait.
            Assert.Equal((published >= revision || users == 0) && behind.Count == 0, result.Converged);
            Assert.Equal(users, result.Proxies);
            Assert.Equal(behind.Count, result.Lagging.Count);
            Assert.All(result.Lagging, l => Assert.Contains(l.Controller, Controllers));
            Assert.All(result.Lagging.Where(l => !l.Unknown), l => Assert.True(l.ConvergedRevision < revision));
            Assert.Equal(published, result.PublishedRevision);
        });

    [Fact]
    public void Read_AWrittenReportReadsBack_AndAnyChangeOfItsTextIsReadOrRefusedWithoutThrowing()
    {
        var written = Gen.Select(Report, Gen.Long[0, 1000], (report, watch) => report with { WatchRevision = watch, Proxies = [.. report.Proxies.Select(p => p with { Nacks = [new ReportedNack("Route", "7", "bad regex")] })] });
        written.Sample(report =>
        {
            var read = ControllerReport.Read(report.ToJson());
            Assert.NotNull(read);
            Assert.Equal(report.ToJson(), read.ToJson());
        });

        Gen.Select(written, Gen.Int[0, 400], Gen.Char["{}[]\":,0an "], (report, at, c) => (Json: report.ToJson(), At: at, C: c)).Sample(t =>
        {
            var text = t.Json.Remove(Math.Min(t.At, t.Json.Length - 1), 1).Insert(Math.Min(t.At, t.Json.Length - 1), t.C.ToString());
            var read = ControllerReport.Read(text);
            Assert.True(read is null || (read.Name.Length > 0 && read.Proxies.All(p => p.NodeId is not null && p.Services is not null)));
            _ = read is null ? "" : MeshConvergence.Evaluate(1, Service, 1, [read], []).ToString();
        });
    }

    [Fact]
    public void WriteJson_WritesToJsonsTextInUtf8_IntoABufferReusedFromALongerReport()
    {
        var longer = new ControllerReport("z", "127.0.0.1:1", 0, 0, DateTimeOffset.UnixEpoch, [.. Enumerable.Repeat(new ReportedProxy("n", "ads-1", new string('x', 500), 1, [Service]), 20)]);
        Gen.Select(Report, Gen.String, (report, agent) => report with { Proxies = [.. report.Proxies.Select(p => p with { UserAgent = agent })] }).Sample(report =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            longer.WriteJson(buffer);
            buffer.ResetWrittenCount();
            report.WriteJson(buffer);
            Assert.Equal(Encoding.UTF8.GetBytes(report.ToJson()), buffer.WrittenSpan.ToArray());
        });
    }

    [Fact]
    public void Read_ACompressedReportReadsBack_AndAnyChangeOfItsBytesIsReadOrRefusedWithoutThrowing()
    {
        // Samples run in parallel: each compresses into a buffer of its own.
        static byte[] Compressed(ControllerReport report)
        {
            using var buffer = new MemoryStream();
            return ControllerReport.Compress(Encoding.UTF8.GetBytes(report.ToJson()), buffer).ToArray();
        }

        var written = Gen.Select(Report, Gen.Long[0, 1000], (report, watch) => report with { WatchRevision = watch });
        written.Sample(report =>
        {
            var read = ControllerReport.Read(Compressed(report));
            Assert.NotNull(read);
            Assert.Equal(report.ToJson(), read.ToJson());
        });

        Gen.Select(written, Gen.Int[0, 4000], Gen.Byte, Gen.Int[0, 4000], (report, at, value, cut) => (Report: report, At: at, Value: value, Cut: cut)).Sample(t =>
        {
            var bytes = Compressed(t.Report);
            bytes[t.At % bytes.Length] = t.Value;
            var read = ControllerReport.Read(bytes.AsSpan(0, Math.Max(2, bytes.Length - (t.Cut % bytes.Length))));
            Assert.True(read is null || (read.Name.Length > 0 && read.Proxies.All(p => p.NodeId is not null && p.Services is not null)));
            _ = read is null ? "" : MeshConvergence.Evaluate(1, Service, 1, [read], []).ToString();
        });
    }

    /// <summary>A controller with far more proxies than one value holds as JSON reports them compressed, each one.</summary>
    [Fact]
    public void Compress_TwentyThousandProxies_FitWhereAboutSevenThousandDidAsJson()
    {
        var report = new ControllerReport("a", "127.0.0.1:18000", 900_000, 900_000, DateTimeOffset.UnixEpoch, [.. Enumerable.Range(0, 20_000).Select(i =>
            new ReportedProxy($"proxy-{i:D5}", $"ads-{i + 1}", "grpc-node-js/1.14.0", 900_000 - (i % 3), ["checkout", $"service-{i % 1000:D4}"], Node: $"node-{i % 50:D2}"))]);
        var json = new ArrayBufferWriter<byte>();
        report.WriteJson(json);
        using var buffer = new MemoryStream();

        var compressed = ControllerReport.Compress(json.WrittenSpan, buffer);

        Assert.True(json.WrittenCount > 2 * ControllerReporter.MaxReportBytes, $"{json.WrittenCount} bytes of JSON");
        Assert.True(compressed.Length < ControllerReporter.MaxReportBytes / 2, $"{compressed.Length} bytes compressed");
        Assert.Equal(report.ToJson(), ControllerReport.Read(compressed.Span)!.ToJson());
    }

    [Fact]
    public void Read_AValueThatInflatesBeyondTheLimit_IsRefused()
    {
        using var buffer = new MemoryStream();
        var bomb = new byte[ControllerReport.MaxInflatedBytes + 1];
        bomb.AsSpan().Fill((byte)' ');

        Assert.Null(ControllerReport.Read(ControllerReport.Compress(bomb, buffer).Span));
    }

    [Fact]
    public void Evaluate_AProxyOfAGoneControllerThatShowsUpElsewhere_IsAnsweredForByItsNewController()
    {
        var gone = new ControllerReport("b", "127.0.0.1:2", 5, 5, DateTimeOffset.UnixEpoch, [new ReportedProxy("n1", "ads-1", "test", 5, [Service])]);
        var behind = new ControllerReport("a", "127.0.0.1:1", 9, 9, DateTimeOffset.UnixEpoch, [new ReportedProxy("n1", "ads-7", "test", 8, [Service])]);
        var caughtUp = behind with { Proxies = [behind.Proxies[0] with { ConvergedRevision = 9 }] };

        var stranded = MeshConvergence.Evaluate(9, Service, 9, [behind with { Proxies = [] }], [gone]);
        var lagging = MeshConvergence.Evaluate(9, Service, 9, [behind], [gone]);
        var converged = MeshConvergence.Evaluate(9, Service, 9, [caughtUp], [gone]);

        Assert.Equal(new LightMesh.ControlPlane.Ads.LaggingProxy("n1", "ads-1", 5, "b", Unknown: true), Assert.Single(stranded.Lagging));
        Assert.Equal("n1 on a at 8", Assert.Single(lagging.Lagging).ToString());
        Assert.True(converged.Converged);
    }
}
