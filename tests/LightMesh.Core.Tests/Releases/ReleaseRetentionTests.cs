using CsCheck;
using LightMesh.Core.Analysis;
using LightMesh.Core.Releases;

namespace LightMesh.Core.Tests.Releases;

public sealed class ReleaseRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static EndedRelease Ended(string id, string service, double daysAgo) => new(id, service, Now - TimeSpan.FromDays(daysAgo));

    [Fact]
    public void Expired_MoreThanKeepOfAService_AreTheOldestBeyondIt()
    {
        var retention = new ReleaseRetention(2, TimeSpan.FromDays(30));
        EndedRelease[] ended = [Ended("a1", "alpha", 4), Ended("a2", "alpha", 3), Ended("a3", "alpha", 2), Ended("a4", "alpha", 1), Ended("b1", "beta", 5)];

        var expired = retention.Expired(ended, Now);

        Assert.Equal(["a1", "a2"], expired.Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Expired_EndedBeforeTheMaximumAge_IsExpiredEvenWithinKeep()
    {
        var retention = new ReleaseRetention(20, TimeSpan.FromDays(30));

        var expired = retention.Expired([Ended("old", "alpha", 31), Ended("new", "alpha", 29)], Now);

        Assert.Equal("old", Assert.Single(expired).Id);
    }

    /// <summary>Generated cases (CsCheck prints the seed of a failing one): what is kept of each service is its newest, within Keep and MaxAge.</summary>
    [Fact]
    public void Expired_AnyHistory_KeepsExactlyTheNewestWithinKeepAndAge()
    {
        var release = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 60 * 24 * 60]).Select((service, minutesAgo) => (Service: $"s{service}", MinutesAgo: minutesAgo));
        Gen.Select(release.List[0, 40], Gen.Int[1, 6], Gen.Int[1, 60]).Sample((history, keep, days) =>
        {
            var ended = history.Select((r, i) => new EndedRelease($"r{i:D2}", r.Service, Now - TimeSpan.FromMinutes(r.MinutesAgo))).ToList();
            var retention = new ReleaseRetention(keep, TimeSpan.FromDays(days));

            var expired = retention.Expired(ended, Now).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

            foreach (var service in ended.GroupBy(r => r.Service))
            {
                var kept = service.Where(r => !expired.Contains(r.Id)).ToList();
                var gone = service.Where(r => expired.Contains(r.Id)).ToList();
                Assert.True(kept.Count <= keep, $"{service.Key}: {kept.Count} kept, more than {keep}");
                Assert.All(kept, r => Assert.True(r.EndedAt >= Now - retention.MaxAge, $"{r.Id} kept though older than {days} days"));
                Assert.All(gone, r => Assert.True(kept.Count == keep || r.EndedAt < Now - retention.MaxAge, $"{r.Id} expired though {service.Key} keeps {kept.Count} of {keep}"));
                Assert.All(gone, r => Assert.All(kept, k => Assert.True(k.EndedAt >= r.EndedAt, $"{r.Id} expired but the older {k.Id} kept")));
            }
        }, iter: 2000);
    }

    [Fact]
    public void KeepingLast_MoreMeasurementsThanKept_KeepsTheNewestAndCountsAll()
    {
        var measurements = Enumerable.Range(0, 5).Select(i => new Measurement(Now.AddSeconds(i), [i], MeasurementPhase.Successful, "")).ToList();
        var record = new AnalysisRecord(2, false, "t", "m", AnalysisPhase.Successful, "", measurements);

        var kept = record.KeepingLast(2);

        Assert.Equal([3.0, 4.0], kept.Measurements.Select(m => m.Value));
        Assert.Equal(5, kept.Measured);
        Assert.Equal((0, 5), (kept.ToSummary().Measurements.Count, kept.ToSummary().Measured));
    }
}
