namespace Sightline.Server.Storage;

/// <summary>One per-minute rollup row as the queries read it.</summary>
internal readonly record struct RollupRow(long Minute, string Method, string Route, long Count, long Errors, double DurationMax, long[] DurationCounts, double ResponseBytes);
