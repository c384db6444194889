namespace Sightline.Redaction;

/// <summary>Defaults shared by every redactor.</summary>
public static class RedactionDefaults
{
    /// <summary>The value that replaces redacted data: <c>[CLIENT_REDACTED]</c>.</summary>
    public const string RedactedValue = "[CLIENT_REDACTED]";

    /// <summary>
    /// Headers that are always redacted: <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>,
    /// <c>Set-Cookie</c>, <c>X-Api-Key</c>. User-configured names are added to these.
    /// </summary>
    public static IReadOnlyList<string> SensitiveHeaders { get; } =
        ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"];

    /// <summary>Deepest JSON nesting the redactor accepts before failing closed (64).</summary>
    public const int MaxJsonDepth = 64;
}
