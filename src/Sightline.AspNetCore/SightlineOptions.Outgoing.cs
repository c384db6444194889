namespace Sightline.AspNetCore;

public sealed partial class SightlineOptions
{
    /// <summary>
    /// Capture the bodies the app sends in outgoing calls (redacted, capped by <see cref="MaxBodySize"/>,
    /// only for <see cref="CapturedContentTypes"/>, non-JSON text under <see cref="NonJsonTextBodies"/>), like
    /// incoming bodies. Default: <c>true</c> (the same default as <see cref="CaptureRequestBody"/>). Privacy:
    /// JSON bodies are redacted with <see cref="RedactRequestBody"/> plus <see cref="RedactOutgoingRequestBody"/>.
    /// </summary>
    public bool CaptureOutgoingRequestBody { get; set; } = true;

    /// <summary>
    /// Capture the bodies outgoing calls receive, teed while the caller reads them (never buffered by
    /// Sightline, streaming unchanged), under the same cap and content-type rules. Default: <c>true</c>
    /// (the same default as <see cref="CaptureResponseBody"/>). Privacy: JSON bodies are redacted with
    /// <see cref="RedactResponseBody"/> plus <see cref="RedactOutgoingResponseBody"/>.
    /// </summary>
    public bool CaptureOutgoingResponseBody { get; set; } = true;

    /// <summary>
    /// RFC 9535 JSONPaths redacted in the bodies the app sends in outgoing calls, in addition to
    /// <see cref="RedactRequestBody"/> (which applies to outgoing request bodies too). Default: none.
    /// </summary>
    public List<string> RedactOutgoingRequestBody { get; set; } = [];

    /// <summary>
    /// RFC 9535 JSONPaths redacted in the bodies outgoing calls receive, in addition to
    /// <see cref="RedactResponseBody"/> (which applies to outgoing response bodies too). Default: none.
    /// </summary>
    public List<string> RedactOutgoingResponseBody { get; set; } = [];

    /// <summary>
    /// Header names redacted in outgoing calls (case-insensitive), in addition to <see cref="RedactHeaders"/>
    /// and the always-redacted <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>,
    /// <c>Set-Cookie</c>, <c>X-Api-Key</c>. Default: none added.
    /// </summary>
    public List<string> RedactOutgoingHeaders { get; set; } = [];
}
