using System.Globalization;
using LightMesh.Core.Scheduling;

namespace LightMesh.Core.Tests.Scheduling;

/// <summary>When a schedule fires: the latest due time only, never before it was first seen, not twice, within its deadline.</summary>
public sealed class ScheduleClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTimeOffset T(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static ScheduleSpec Cron(string cron, TimeZoneInfo? zone = null, bool suspend = false) =>
        new() { Service = "checkout", Cron = CronSchedule.TryParse(cron, zone ?? TimeZoneInfo.Utc, out _)!, Suspend = suspend };

    [Fact]
    public void Check_CronTimePassed_IsDueForThatTime()
    {
        var due = ScheduleClock.Check(Cron("0 0 2 * * ?"), since: T("2026-11-27T00:00:00Z"), lastScheduled: null, now: T("2026-11-28T02:00:03Z"));

        Assert.Equal(new Due(T("2026-11-28T02:00:00Z")), due);
    }

    [Fact]
    public void Check_AtTheExactSecond_IsDue()
    {
        Assert.Equal(new Due(T("2026-11-28T02:00:00Z")), ScheduleClock.Check(Cron("0 0 2 * * ?"), T("2026-11-27T00:00:00Z"), null, T("2026-11-28T02:00:00Z")));
    }

    [Fact]
    public void Check_TimeAlreadyActedOn_IsNotDueAgain_AndNamesTheNext()
    {
        var due = ScheduleClock.Check(Cron("0 0 2 * * ?"), T("2026-11-27T00:00:00Z"), T("2026-11-28T02:00:00Z"), T("2026-11-28T02:00:30Z"));

        Assert.Equal(new NotDue(T("2026-11-29T02:00:00Z")), due);
    }

    [Fact]
    public void Check_TimeBeforeTheScheduleWasSeen_NeverFires()
    {
        var due = ScheduleClock.Check(Cron("0 0 2 * * ?"), since: T("2026-11-28T10:00:00Z"), lastScheduled: null, now: T("2026-11-28T10:00:05Z"));

        Assert.IsType<NotDue>(due);
    }

    [Fact]
    public void Check_SeveralMissedTimes_CollapseIntoTheLatest()
    {
        // Every minute, and no controller led for ten: one firing, for the latest minute.
        var due = ScheduleClock.Check(Cron("0 * * * * ?"), T("2026-11-28T09:00:00Z"), T("2026-11-28T09:50:00Z"), T("2026-11-28T10:00:20Z"));

        Assert.Equal(new Due(T("2026-11-28T10:00:00Z")), due);
    }

    [Fact]
    public void Check_LaterThanTheStartingDeadline_IsPassedOver()
    {
        var due = ScheduleClock.Check(Cron("0 0 2 * * ?"), T("2026-11-27T00:00:00Z"), null, T("2026-11-28T03:30:00Z"));

        var passed = Assert.IsType<PassedOver>(due);
        Assert.Equal(T("2026-11-28T02:00:00Z"), passed.ScheduledAt);
        Assert.Contains("missed by 90 min, more than the starting deadline of 60 min", passed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Suspended_PassesOverTheTime()
    {
        var due = ScheduleClock.Check(Cron("0 0 2 * * ?", suspend: true), T("2026-11-27T00:00:00Z"), null, T("2026-11-28T02:00:01Z"));

        Assert.Equal(new PassedOver(T("2026-11-28T02:00:00Z"), "the schedule is suspended"), due);
    }

    [Fact]
    public void Check_CronInATimeZone_KeepsLocalTimeAcrossDaylightSaving()
    {
        var spec = Cron("0 0 2 * * ?", Berlin);

        // 02:00 in Berlin is 01:00 UTC in winter and 00:00 UTC in summer.
        Assert.Equal(new Due(T("2026-11-28T01:00:00Z")), ScheduleClock.Check(spec, T("2026-11-27T12:00:00Z"), null, T("2026-11-28T01:00:01Z")));
        Assert.Equal(new Due(T("2026-07-01T00:00:00Z")), ScheduleClock.Check(spec, T("2026-06-30T12:00:00Z"), null, T("2026-07-01T00:00:01Z")));
    }

    [Fact]
    public void Check_OneShot_FiresOnceAtItsTime()
    {
        var spec = new ScheduleSpec { Service = "checkout", At = T("2026-12-01T05:00:00Z") };

        Assert.Equal(new NotDue(T("2026-12-01T05:00:00Z")), ScheduleClock.Check(spec, T("2026-11-28T00:00:00Z"), null, T("2026-12-01T04:59:59Z")));
        Assert.Equal(new Due(T("2026-12-01T05:00:00Z")), ScheduleClock.Check(spec, T("2026-11-28T00:00:00Z"), null, T("2026-12-01T05:00:00Z")));
        Assert.Equal(new NotDue(null), ScheduleClock.Check(spec, T("2026-11-28T00:00:00Z"), T("2026-12-01T05:00:00Z"), T("2026-12-01T05:00:02Z")));
    }

    [Fact]
    public void Check_OneShotWrittenLongAfterItsTime_IsPassedOver()
    {
        var spec = new ScheduleSpec { Service = "checkout", At = T("2026-11-01T05:00:00Z") };

        Assert.IsType<PassedOver>(ScheduleClock.Check(spec, T("2026-11-28T00:00:00Z"), null, T("2026-11-28T00:00:00Z")));
    }
}
