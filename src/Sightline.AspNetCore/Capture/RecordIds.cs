namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Record ids: RFC 9562 version-7 UUIDs (48-bit Unix milliseconds, then 74 random bits), laid out
/// exactly as <see cref="Guid.CreateVersion7()"/> does, but with the random bits from the
/// thread-local <see cref="Random.Shared"/> (seeded from the OS once) instead of a kernel random
/// call per id, which cost more than the rest of a record. Ids must be unique, not secret.
/// </summary>
internal static class RecordIds
{
    public static Guid NewVersion7() => NewVersion7(DateTimeOffset.UtcNow);

    public static Guid NewVersion7(DateTimeOffset timestamp)
    {
        var ms = timestamp.ToUnixTimeMilliseconds();
        var random = Random.Shared;
        var high = random.NextInt64();
        var low = random.NextInt64();
        return new Guid(
            (int)(ms >> 16),
            (short)ms,
            (short)((high & 0x0FFF) | 0x7000),
            (byte)(((high >> 12) & 0x3F) | 0x80),
            (byte)(high >> 18),
            (byte)low,
            (byte)(low >> 8),
            (byte)(low >> 16),
            (byte)(low >> 24),
            (byte)(low >> 32),
            (byte)(low >> 40));
    }
}
