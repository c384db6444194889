namespace Sightline.AspNetCore.Metrics;

/// <summary>Identity of a metric series: route template, method, status and consumer.</summary>
internal readonly record struct SeriesKey(string Route, string Method, int Status, string? Consumer);
