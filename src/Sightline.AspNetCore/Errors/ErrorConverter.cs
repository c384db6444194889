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

    /// <summary>Most exceptions in one tree (root included): nested aggregates could otherwise reach 10^5.</summary>
    public const int MaxTotal = 50;

    public static ErrorInfo Convert(Exception exception, bool handled, string source)
    {
        var budget = MaxTotal - 1;
        var info = ConvertCore(exception, handled, source, 0, ref budget);
        info.Fingerprint = Fingerprint(exception);
        return info;
    }

    private static ErrorInfo ConvertCore(Exception exception, bool handled, string source, int depth, ref int budget)
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
                if (info.Inner.Count >= MaxInnerPerLevel || budget <= 0) break;
                budget--;
                info.Inner.Add(ConvertCore(inner, handled, source, depth + 1, ref budget));
            }
        }
        else if (exception.InnerException is { } inner && budget > 0)
        {
            budget--;
            info.Inner = [ConvertCore(inner, handled, source, depth + 1, ref budget)];
        }
        return info;
    }

    /// <summary>
    /// Type plus the top three frames of the app's own code, hashed. Frames of the framework
    /// (<c>System.*</c>, <c>Microsoft.*</c>) and of Sightline itself (e.g. the outgoing-call handler a
    /// failed call passes through) are skipped, and neither messages nor line numbers take part, so
    /// the same failure at the same place always groups together.
    /// </summary>
    internal static string Fingerprint(Exception exception)
    {
        var sb = new StringBuilder(exception.GetType().FullName);
        var frames = new StackTrace(exception, false).GetFrames();
        var used = 0;
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (type is null || IsFramework(type.Namespace) || type.Assembly == typeof(ErrorConverter).Assembly) continue;
            sb.Append('|').Append(type.FullName).Append('.').Append(method!.Name);
            if (++used == 3) break;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return System.Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static bool IsFramework(string? ns)
        => ns is not null && (IsUnder(ns, "System") || IsUnder(ns, "Microsoft"));

    private static bool IsUnder(string ns, string root)
        => ns.StartsWith(root, StringComparison.Ordinal) && (ns.Length == root.Length || ns[root.Length] == '.');

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max] + "…";
}
