namespace Sightline.AspNetCore;

/// <summary>
/// Options of the Sightline SDK. Bind from the <c>Sightline</c> configuration section or set in
/// code through <c>AddSightline(o =&gt; …)</c>; code wins. Validated at start-up.
/// </summary>
/// <remarks>Capture and redaction options live in this file; shipping options in <c>SightlineOptions.Transport.cs</c>.</remarks>
public sealed partial class SightlineOptions
{
    /// <summary>The configuration section options bind from: <c>Sightline</c>.</summary>
    public const string SectionName = "Sightline";

    /// <summary>The project's ingest key, issued by the Sightline server. Required.</summary>
    public string? ApiKey { get; set; }
}
