using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Diagnostics;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Drains the queue in the background: batches by count, bytes or interval, gzip JSON to
/// <c>{Endpoint}/api/v1/ingest</c>, retries network errors / 429 / 5xx with exponential backoff and
/// full jitter (honouring Retry-After), spools to disk while the server is away and replays the
/// spool when it is back, and flushes what is queued on shutdown within a deadline.
/// </summary>
internal sealed class SightlineShipper : BackgroundService
{
    private const int InlineAttempts = 3;
    private static readonly TimeSpan s_baseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_busyPoll = TimeSpan.FromMilliseconds(10);
    private const int BusyItems = 16;

    private readonly TelemetryQueue _queue;
    private readonly SightlineOptions _options;
    private readonly ServiceInfo _service;
    private readonly TransportMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Uri _ingest;
    private readonly DiskSpool _spool;
    private readonly BatchBuilder _batch;
    private DateTimeOffset _serverAwayUntil = DateTimeOffset.MinValue;
    private TimeSpan _awayBackoff = TimeSpan.Zero;
    private DateTimeOffset _lastKeyWarning = DateTimeOffset.MinValue;
    private RecordSegment? _carried; // a segment that did not fit in the batch being built: the next one starts with it
    private ReadOnlyMemory<byte>? _inFlight; // valid until the next batch starts (BatchBuilder reuses its buffer)
    private int _inFlightItems;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _busyPollInterval;

    public SightlineShipper(TelemetryQueue queue, IOptions<SightlineOptions> options, CaptureSettings settings, TransportMetrics metrics,
        TimeProvider time, ILogger<SightlineShipper> logger)
    {
        _queue = queue;
        _options = options.Value;
        _service = settings.Service;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _ingest = new Uri(_options.Endpoint, WireConstants.IngestPath);
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _batch = new BatchBuilder(_service);
        // Items wait at most FlushInterval (+ one poll); 10 polls per interval, 100 ms at most.
        _pollInterval = TimeSpan.FromTicks(Math.Clamp(_options.FlushInterval.Ticks / 10, TimeSpan.TicksPerMillisecond, 100 * TimeSpan.TicksPerMillisecond));
        _busyPollInterval = _pollInterval < s_busyPoll ? _pollInterval : s_busyPoll;
        var directory = _options.SpoolDirectory ?? Path.Combine(Path.GetTempPath(), "sightline-spool", Sanitize(_service.Name));
        _spool = new DiskSpool(directory, _options.SpoolMaxBytes, _options.SpoolMaxAge, _options.SpoolMaxAttempts, time);
    }

    internal DiskSpool Spool => _spool;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var items = await CollectAsync(stoppingToken).ConfigureAwait(false);
                if (items > 0)
                {
                    // Kept until done with: a send cut short by shutdown is finished by StopAsync, not lost.
                    _inFlight = _batch.Finish();
                    _inFlightItems = items;
                    await SendOrSpoolAsync(_inFlight.Value, items, stoppingToken).ConfigureAwait(false);
                    _inFlight = null;
                }
                await ReplaySpoolAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: StopAsync drains what is left
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShutdownTimeout);
        while (_inFlight is not null || _queue.Count > 0 || _batch.Count > 0 || _carried is not null || _queue.SealOpenSegments() > 0)
        {
            ReadOnlyMemory<byte> batch;
            int count;
            if (_inFlight is { } inFlight)
            {
                // Sent before Drain() starts a new batch in the same buffer.
                (batch, count) = (inFlight, _inFlightItems);
                _inFlight = null;
            }
            else
            {
                Drain();
                count = _batch.Count;
                batch = _batch.Finish();
            }
            var done = false;
            if (!deadline.IsCancellationRequested)
            {
                try
                {
                    done = await TrySendAsync(batch, count, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    SightlineLog.ShutdownLeftover(_logger, count + _queue.Count);
                }
            }
            if (!done) SpoolOrDrop(batch, count, "shutdown deadline");
        }
    }

    /// <summary>Fills the batch; returns its item count (0 when nothing arrived within the flush interval).</summary>
    /// <remarks>
    /// The queue is polled (a few times per flush interval) instead of waking this loop for every
    /// item: at thousands of requests per second a wake-up per request costs more than the record.
    /// While busy (a poll found <see cref="BusyItems"/> or more items) it is polled every
    /// <see cref="s_busyPoll"/>: records then wait in the queue for milliseconds, not a tenth of a second,
    /// so few of them outlive a gen0 garbage collection and their buffers are still in the CPU's cache
    /// when they are serialized (under load this halved the SDK's GC promotions).
    /// </remarks>
    private async Task<int> CollectAsync(CancellationToken ct)
    {
        var started = _time.GetUtcNow();
        DateTimeOffset? due = null;
        while (true)
        {
            var drained = Drain();
            if (Full()) return _batch.Count;
            var now = _time.GetUtcNow();
            if (_batch.Count > 0) due ??= now + _options.FlushInterval;
            if (due is { } d ? now >= d : now - started >= _options.FlushInterval)
            {
                // Records still in threads' open segments go with this batch (or start the next one).
                if (!Full() && _queue.SealOpenSegments() > 0) Drain();
                return _batch.Count;
            }
            await Task.Delay(drained >= BusyItems ? _busyPollInterval : _pollInterval, _time, ct).ConfigureAwait(false);
        }
    }

    private bool Full() => _carried is not null || _batch.Count >= _options.BatchMaxItems || _batch.UncompressedBytes >= _options.BatchMaxBytes;

    // Moves queued items into the batch, serializing records right away; returns how many records and items. A segment
    // that would take a non-empty batch past its limits is carried over to start the next batch.
    private int Drain()
    {
        var drained = 0;
        if (_carried is { } carried && _batch.Count == 0)
        {
            _carried = null;
            _batch.Add(carried);
            drained += carried.Records;
        }
        while (!Full() && _queue.TryDequeue(out var item))
        {
            if (item is RecordSegment segment && _batch.Count > 0
                && (_batch.Count + segment.Records > _options.BatchMaxItems || _batch.UncompressedBytes + segment.UncompressedBytes > _options.BatchMaxBytes))
            {
                _carried = segment;
                break;
            }
            _batch.Add(item);
            drained += item is RecordSegment s ? s.Records : 1;
        }
        return drained;
    }

    private async Task SendOrSpoolAsync(ReadOnlyMemory<byte> batch, int items, CancellationToken ct)
    {
        if (_time.GetUtcNow() < _serverAwayUntil)
        {
            SpoolOrDrop(batch, items, "server unreachable");
            return;
        }
        if (!await TrySendAsync(batch, items, ct).ConfigureAwait(false)) SpoolOrDrop(batch, items, "server unreachable");
    }

    /// <summary>
    /// Sends with inline retries. True when the batch is done with (acknowledged or permanently rejected).
    /// After an outage the first batch is a probe: one attempt, no inline retries. Their back-off would
    /// hold the queue up for a second at every probe of a long outage while records keep arriving, and a
    /// busy app's queue then overflowed and dropped records though the spool had room for them.
    /// </summary>
    private async Task<bool> TrySendAsync(ReadOnlyMemory<byte> batch, int items, CancellationToken ct)
    {
        var attempts = _awayBackoff == TimeSpan.Zero ? InlineAttempts : 1;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var outcome = await PostAsync(batch, items, ct).ConfigureAwait(false);
            if (outcome.Done) return true;
            if (attempt + 1 == attempts || ct.IsCancellationRequested) break;
            _metrics.Retried.Add(1);
            var delay = outcome.RetryAfter ?? Backoff(attempt);
            if (_options.Debug) SightlineLog.BatchRetry(_logger, items, delay, outcome.Reason);
            try
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        MarkServerAway();
        return false;
    }

    private readonly record struct Outcome(bool Done, TimeSpan? RetryAfter, string Reason);

    private async Task<Outcome> PostAsync(ReadOnlyMemory<byte> batch, int items, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var content = new ReadOnlyMemoryContent(batch);
            content.Headers.ContentType = new("application/json");
            content.Headers.ContentEncoding.Add("gzip");
            using var request = new HttpRequestMessage(HttpMethod.Post, _ingest) { Content = content };
            request.Headers.TryAddWithoutValidation(WireConstants.ApiKeyHeader, _options.ApiKey);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (_options.Debug) SightlineLog.BatchSent(_logger, items, batch.Length, _ingest, status);
            if (response.IsSuccessStatusCode)
            {
                _serverAwayUntil = DateTimeOffset.MinValue;
                _awayBackoff = TimeSpan.Zero;
                var rejected = await CountRejectedAsync(response, timeout.Token).ConfigureAwait(false);
                _metrics.Sent.Add(items - rejected);
                if (rejected > 0)
                {
                    _metrics.Dropped.Add(rejected);
                    if (_options.Debug) SightlineLog.Dropped(_logger, rejected, "rejected by the server");
                }
                return new(true, null, "ok");
            }
            if (status is 429 or >= 500)
                return new(false, RetryAfter(response), $"HTTP {status}");
            if (status is 401 or 403 && _time.GetUtcNow() - _lastKeyWarning > TimeSpan.FromMinutes(1))
            {
                _lastKeyWarning = _time.GetUtcNow();
                SightlineLog.KeyRefused(_logger, status);
            }
            _metrics.Dropped.Add(items);
            if (_options.Debug) SightlineLog.Dropped(_logger, items, $"HTTP {status} from the server");
            return new(true, null, $"HTTP {status}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !ct.IsCancellationRequested)
        {
            return new(false, null, e.GetType().Name);
        }
    }

    private static async Task<int> CountRejectedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
            return doc.RootElement.TryGetProperty("rejected", out var rejected) && rejected.ValueKind == JsonValueKind.Array
                ? rejected.GetArrayLength() : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (delay is null) return null;
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, s_baseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling); // full jitter
    }

    // After a failed batch, new batches go straight to the spool until the next probe.
    private void MarkServerAway()
    {
        _awayBackoff = _awayBackoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(_awayBackoff.Ticks * 2, _options.MaxRetryDelay.Ticks));
        _serverAwayUntil = _time.GetUtcNow() + Backoff(0) + _awayBackoff;
    }

    private void SpoolOrDrop(ReadOnlyMemory<byte> batch, int items, string reason)
    {
        try
        {
            var trimmed = _spool.Write(batch.Span, out var stored);
            if (trimmed > 0) _metrics.SpoolDropped.Add(trimmed);
            if (stored)
            {
                _metrics.Spooled.Add(1);
                if (_options.Debug) SightlineLog.Spooled(_logger, items, reason);
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason += "; spool failed: " + e.Message;
        }
        _metrics.Dropped.Add(items);
        if (_options.Debug) SightlineLog.Dropped(_logger, items, reason);
    }

    private async Task ReplaySpoolAsync(CancellationToken ct)
    {
        if (!_spool.Enabled || _time.GetUtcNow() < _serverAwayUntil) return;
        for (var i = 0; i < 10 && !ct.IsCancellationRequested; i++)
        {
            var batch = _spool.Peek(out var expired);
            if (expired > 0) _metrics.SpoolDropped.Add(expired);
            if (batch is null) return;
            var outcome = await PostAsync(batch.Content, 0, ct).ConfigureAwait(false);
            if (!outcome.Done)
            {
                _spool.Failed(batch);
                MarkServerAway();
                return;
            }
            _spool.Delete(batch);
            if (_options.Debug) SightlineLog.SpoolSent(_logger, Path.GetFileName(batch.Path));
        }
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not '-' and not '_' and not '.') chars[i] = '_';
        return chars.Length == 0 ? "app" : new string(chars);
    }

    public override void Dispose()
    {
        _http.Dispose();
        _batch.Dispose();
        base.Dispose();
    }
}
