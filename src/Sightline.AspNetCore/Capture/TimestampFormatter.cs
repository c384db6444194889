using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Writes a timestamp exactly as <c>DateTimeOffset.TryFormat(..., "O")</c> does (<c>2026-11-24T07:01:18.5352230+00:00</c>),
/// keeping the date and time up to the second from the previous call: records written on one thread a few
/// microseconds apart share it, so only the seven fraction digits are formatted. Timestamps with an offset
/// other than zero (only a custom <see cref="TimeProvider"/> gives those) are formatted by the runtime.
/// One per writer (thread), never shared.
/// </summary>
internal sealed class TimestampFormatter
{
    /// <summary>Bytes written for a UTC timestamp; the most any call writes.</summary>
    public const int MaxLength = 33;

    private readonly byte[] _second = new byte[19]; // yyyy-MM-ddTHH:mm:ss
    private long _secondTicks = -1;

    /// <summary>Writes <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns the length.</summary>
    public int Format(DateTimeOffset value, Span<byte> destination)
    {
        if (value.Offset != TimeSpan.Zero)
        {
            if (!value.TryFormat(destination, out var written, "O", CultureInfo.InvariantCulture))
                throw new ArgumentException("The destination is too small.", nameof(destination));
            return written;
        }
        var ticks = value.UtcTicks;
        var fraction = ticks % TimeSpan.TicksPerSecond;
        var second = ticks - fraction;
        if (second != _secondTicks)
        {
            if (!new DateTime(second, DateTimeKind.Utc).TryFormat(_second, out var n, "s", CultureInfo.InvariantCulture) || n != _second.Length)
                throw new InvalidOperationException("The timestamp did not format as yyyy-MM-ddTHH:mm:ss.");
            _secondTicks = second;
        }
        _second.CopyTo(destination);
        destination[19] = (byte)'.';
        Utf8Formatter.TryFormat((uint)fraction, destination[20..], out _, new StandardFormat('D', 7));
        "+00:00"u8.CopyTo(destination[27..]);
        return MaxLength;
    }
}
