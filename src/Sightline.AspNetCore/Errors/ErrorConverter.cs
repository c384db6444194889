using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Errors;

/// <summary>Turns exceptions into bounded <see cref="ErrorInfo"/> trees with a stable fingerprint.</summary>
internal static class ErrorConverter
{
    public const int MaxMessageLength = 2048;
    public const int MaxStackTraceLength = 16 * 1024;
    public const int MaxInnerDepth = 5;
    public const int MaxInnerPerLevel = 10;

    public static ErrorInfo Convert(Exception exception, bool handled, string source)
    {
        var info = ConvertCore(exception, handled, source, 0);
        info.Fingerprint = Fingerprint(exception);
        return info;
    }

    private static ErrorInfo ConvertCore(Exception exception, bool handled, string source, int depth)
    {
        var info = new ErrorInfo
        {
            Type = exception.GetType().FullName ?? exception.GetType().Name,
            Message = Cut(exception.Message, MaxMessageLength),
            StackTrace = exception.StackTrace is { } st ? Cut(st, MaxStackTraceLength) : null,
            Handled = handled,
            Source = source,
        };
        if (depth >= MaxInnerDepth) return info;
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                info.Inner ??= [];
                if (info.Inner.Count >= MaxInnerPerLevel) break;
                info.Inner.Add(ConvertCore(inner, handled, source, depth + 1));
            }
        }
        else if (exception.InnerException is { } inner)
        {
            info.Inner = [ConvertCore(inner, handled, source, depth + 1)];
        }
        return info;
    }

    /// <summary>Type plus the top three frames of the app's own code (framework frames skipped), hashed.</summary>
    internal static string Fingerprint(Exception exception)
    {
        var sb = new StringBuilder(exception.GetType().FullName);
        var frames = new StackTrace(exception, false).GetFrames();
        var used = 0;
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            var ns = type?.Namespace ?? "";
            if (ns.StartsWith("System", StringComparison.Ordinal) || ns.StartsWith("Microsoft", StringComparison.Ordinal)) continue;
            sb.Append('|').Append(type?.FullName).Append('.').Append(method?.Name);
            if (++used == 3) break;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return System.Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max] + "…";
}
