namespace Sightline.AspNetCore.Capture;

/// <summary>
/// The recorded request this async flow belongs to, for code that has no <c>HttpContext</c> at hand:
/// outgoing calls (<see cref="Outgoing.SightlineHttpHandler"/>), exceptions logged through <c>ILogger</c>
/// and errors reported through <see cref="ISightlineErrorReporter"/> or <see cref="SightlineErrors"/>.
/// The middleware sets it only for sampled requests (and marks excluded paths with <see cref="Excluded"/>):
/// an unsampled request writes no async-local state and allocates nothing. Sightline does not use
/// <c>IHttpContextAccessor</c>: registering it makes the host allocate a new <c>HttpContext</c> per request
/// instead of reusing one per connection, and set an async-local for every request.
/// The value is the request's <see cref="SightlineFeature"/>, never the <c>HttpContext</c>: work the request
/// left running may outlive it, and the host reuses the context for the connection's next request; a
/// feature is only closed (what arrives later is sent on its own, linked to the request).
/// </summary>
internal static class RequestScope
{
    private static readonly AsyncLocal<SightlineFeature?> s_current = new();

    /// <summary>The scope of a request on an excluded path: nothing made inside it is recorded.</summary>
    public static readonly SightlineFeature Excluded = new(Guid.Empty);

    /// <summary>The sampled request (or <see cref="Excluded"/>) of this async flow; null outside any, or inside an unsampled one.</summary>
    public static SightlineFeature? Current => s_current.Value;

    /// <summary>Sets the scope for the rest of the calling async method (and what it starts); call only from an async method, which restores its caller's scope on return.</summary>
    public static void Enter(SightlineFeature feature) => s_current.Value = feature;
}
