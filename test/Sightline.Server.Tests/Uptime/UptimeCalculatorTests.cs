using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Uptime;

public sealed class UptimeCalculatorTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private static Incident Down(double fromHours, double? toHours)
        => new(1, 1, "check", "1", "api", Day.AddHours(fromHours), toHours is { } t ? Day.AddHours(t) : null, "down");

    [Fact]
    public void Percent_OverlappingIncidents_CountedOnce()
        => Assert.Equal(75, UptimeCalculator.Percent([Down(0, 4), Down(2, 6)], Day, Day.AddDays(1), Day.AddDays(-5), Day.AddDays(2)));

    [Fact]
    public void Percent_IncidentCrossingTheDay_ClippedToTheDay()
        => Assert.Equal(87.5, UptimeCalculator.Percent([Down(-5, 3)], Day, Day.AddDays(1), Day.AddDays(-5), Day.AddDays(2)));

    [Fact]
    public void Percent_OpenIncident_RunsUntilNow()
        => Assert.Equal(50, UptimeCalculator.Percent([Down(6, null)], Day, Day.AddDays(1), Day.AddDays(-5), Day.AddHours(12)));

    [Fact]
    public void Percent_CheckCreatedMidDay_CountsOnlyMonitoredTime()
        => Assert.Equal(50, UptimeCalculator.Percent([Down(18, 21)], Day, Day.AddDays(1), Day.AddHours(18), Day.AddDays(1)));

    [Fact]
    public void Percent_NothingMonitored_IsNull()
        => Assert.Null(UptimeCalculator.Percent([], Day, Day.AddDays(1), Day.AddDays(3), Day.AddDays(4)));
}
