using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Errors;

namespace Sightline.AspNetCore;

/// <summary>
/// Static error reporting for code that cannot take <see cref="ISightlineErrorReporter"/> by injection
/// (static helpers, legacy code): <c>SightlineErrors.Report(exception)</c>.
/// </summary>
public static class SightlineErrors
{
    private static SightlineErrorReporter? s_current;

    /// <summary>
    /// Records <paramref name="exception"/> as a handled error: on the current request's record when
    /// called while a sampled request is being served (the request's own app is used), otherwise as a
    /// standalone error record of the most recently started app that uses Sightline, sampled at its
    /// <see cref="SightlineOptions.SampleRate"/> (not at all inside an excluded request). Several errors per
    /// request are kept in order. Never throws; does nothing before an app with Sightline has started.
    /// </summary>
    public static void Report(Exception exception)
    {
        if (exception is null) return;
        try
        {
            var scope = RequestScope.Current;
            (scope?.Reporter ?? Volatile.Read(ref s_current))?.Report(scope, exception);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // reporting never fails the app
        }
    }

    /// <summary>The reporter of the app serving <paramref name="context"/>, if it uses Sightline.</summary>
    internal static SightlineErrorReporter? ReporterOf(HttpContext? context)
    {
        if (context is null) return null;
        try
        {
            return context.RequestServices?.GetService<ISightlineErrorReporter>() as SightlineErrorReporter;
        }
        catch (ObjectDisposedException)
        {
            return null; // the request's services are gone (the request has ended)
        }
    }

    internal static void Attach(SightlineErrorReporter reporter) => Volatile.Write(ref s_current, reporter);

    internal static void Detach(SightlineErrorReporter reporter) => Interlocked.CompareExchange(ref s_current, null, reporter);
}
