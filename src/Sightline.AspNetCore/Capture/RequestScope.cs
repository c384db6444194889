namespace Sightline.AspNetCore.Capture;

/// <summary>
/// The recorded request this async flow belongs to, for code that has no <c>HttpContext</c> at hand:
/// outgoing calls (<see cref="Outgoing.SightlineHttpHandler"/>), exceptions logged through <c>ILogger</c>
/// and errors reported through <see cref="ISightlineErrorReporter"/> or <see cref="SightlineErrors"/>.
/// The middleware sets it only for sampled requests (and marks excluded paths, <see cref="EnterExcluded"/>):
/// an unsampled request writes no async-local state and allocates nothing. Sightline does not use
/// <c>IHttpContextAccessor</c>: registering it makes the host allocate a new <c>HttpContext</c> per request
/// instead of reusing one per connection, and set an async-local for every request.
/// The value is the request's <see cref="SightlineFeature"/>, never the <c>HttpContext</c> (the host reuses
/// the context for the connection's next request), and it is ended when the request is: work the request
/// left running (a timer, a background loop a lazy singleton started on its first use) inherits the
/// async-local, but from then on it is outside any request, as it was with the host's own tracking.
/// </summary>
internal static class RequestScope
{
    private static readonly AsyncLocal<SightlineFeature?> s_current = new();

    /// <summary>The request of this async flow while it runs: sampled, or excluded (<see cref="SightlineFeature.Sampled"/> false); null outside any, or inside an unsampled one.</summary>
    public static SightlineFeature? Current => s_current.Value is { ScopeEnded: false } feature ? feature : null;

    /// <summary>Sets the scope for the rest of the calling async method (and what it starts); call only from an async method, which restores its caller's scope on return.</summary>
    public static void Enter(SightlineFeature feature) => s_current.Value = feature;

    /// <summary>Enters the scope of a request on an excluded path (nothing made inside it is recorded); end it with <see cref="End"/>.</summary>
    public static SightlineFeature EnterExcluded()
    {
        var excluded = new SightlineFeature(Guid.Empty);
        Enter(excluded);
        return excluded;
    }

    /// <summary>Ends <paramref name="feature"/>'s scope: work that outlives the request no longer belongs to it.</summary>
    public static void End(SightlineFeature feature) => feature.ScopeEnded = true;
}
