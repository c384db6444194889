using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Runs the HTTP checks that are due: claims them in the store (so one server runs each check once per
/// interval), sends the request, judges it (status, optional body text, timeout) and records the
/// result, which opens or closes incidents.
/// </summary>
internal sealed partial class UptimeChecker(IMonitoringStore store, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<UptimeChecker> logger)
{
    /// <summary>The named HttpClient checks use (no redirects followed, so a 301 can be expected).</summary>
    public const string HttpClientName = "Sightline.UptimeChecks";
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Claims and runs every due check; returns how many ran.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var due = store.ClaimDueChecks(time.GetUtcNow(), 50);
        if (due.Count == 0) return 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (check, ct) =>
        {
            var result = await RunAsync(check.Definition, ct).ConfigureAwait(false);
            var transition = store.RecordCheckResult(check.Id, result);
            if (transition.OpenedIncident is not null) LogDown(logger, check.Definition.Name, result.Error);
            if (transition.ClosedIncident is not null) LogUp(logger, check.Definition.Name);
        }).ConfigureAwait(false);
        return due.Count;
    }

    /// <summary>Runs one check now.</summary>
    public async Task<CheckResult> RunAsync(CheckDefinition check, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        // The timeout is real wall-clock time: it bounds real network I/O, whatever TimeProvider the monitors use.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(check.TimeoutMs);
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(new HttpMethod(check.Method), check.Url);
            request.Headers.UserAgent.ParseAdd("Sightline-Uptime/1.0");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status != check.ExpectedStatus)
                return new CheckResult(false, status, stopwatch.Elapsed.TotalMilliseconds, $"Expected status {check.ExpectedStatus}, got {status}.", started);
            if (!string.IsNullOrEmpty(check.BodyContains))
            {
                var body = await ReadCappedAsync(response, timeout.Token).ConfigureAwait(false);
                if (!body.Contains(check.BodyContains, StringComparison.Ordinal))
                    return new CheckResult(false, status, stopwatch.Elapsed.TotalMilliseconds, $"The response body does not contain \"{check.BodyContains}\".", started);
            }
            return new CheckResult(true, status, stopwatch.Elapsed.TotalMilliseconds, null, started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CheckResult(false, null, stopwatch.Elapsed.TotalMilliseconds, $"Timed out after {check.TimeoutMs} ms.", started);
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException s ? $"Connection failed: {s.SocketErrorCode}." : $"Request failed: {e.HttpRequestError}.";
            return new CheckResult(false, null, stopwatch.Elapsed.TotalMilliseconds, reason, started);
        }
    }

    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBodyBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0) total += read;
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "Uptime check '{Check}' is down: {Reason}")]
    private static partial void LogDown(ILogger logger, string check, string? reason);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Uptime check '{Check}' recovered")]
    private static partial void LogUp(ILogger logger, string check);
}
