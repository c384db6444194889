namespace Sightline.AspNetCore;

/// <summary>
/// Reports handled errors from code that has no <c>HttpContext</c> at hand (services, repositories,
/// background work). Inject it, or use the static <see cref="SightlineErrors.Report(Exception)"/>.
/// </summary>
public interface ISightlineErrorReporter
{
    /// <summary>
    /// Records <paramref name="exception"/> as a handled error (<c>source: "reported"</c>). Inside a
    /// request it is attached to that request's record, after the errors already reported (several are
    /// kept, in order); outside any request — or after the request's record was sent — it is sent as a
    /// standalone error record. Never throws.
    /// </summary>
    void Report(Exception exception);
}
