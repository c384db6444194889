using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;
using Sightline.Server.Security;
using Sightline.Server.Storage;

namespace Sightline.Server.Ingest;

/// <summary>
/// <c>POST /api/v1/ingest</c>: authenticated by a project ingest key, gzip or plain JSON, size
/// limited after decompression (a gzip bomb is cut off while inflating), validated per item.
/// Valid items are stored durably before the 200; invalid ones are listed as rejected.
/// </summary>
internal static class IngestEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost(WireConstants.IngestPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, ISightlineStore store, IngestKeyService keys, IOptions<ServerOptions> options, CancellationToken ct)
    {
        var projectId = await keys.ValidateAsync(context.Request.Headers[WireConstants.ApiKeyHeader].ToString(), context.Connection.RemoteIpAddress, ct);
        if (projectId is null)
            return Problem(401, "Invalid ingest key", "Send the project's ingest key in the X-Api-Key header.", "https://sightline.dev/problems/ingest-key");

        if (context.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return Problem(415, "Unsupported media type", "Send application/json, optionally with Content-Encoding: gzip.");
        if (store.PendingWrites >= options.Value.MaxPendingWrites)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problem(429, "Ingest is saturated", "Retry after the delay in Retry-After.");
        }

        var limit = options.Value.MaxBatchBytes;
        if (context.Request.ContentLength > limit)
            return Problem(413, "Batch too large", $"The limit is {limit} bytes.");
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        Stream body = context.Request.Body;
        if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase)) body = new GZipStream(body, CompressionMode.Decompress);
        else if (encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            return Problem(415, "Unsupported content encoding", "Use gzip or no encoding.");

        byte[] json;
        int length;
        try
        {
            (json, length) = await ReadLimitedAsync(body, limit, context.Request.ContentLength, ct);
        }
        catch (InvalidDataException)
        {
            return Problem(400, "Invalid gzip stream", "The body could not be decompressed.");
        }
        catch (LimitExceededException)
        {
            return Problem(413, "Batch too large", $"The decompressed batch exceeds {limit} bytes.");
        }

        IngestBatch? batch;
        try
        {
            batch = WireJson.DeserializeBatch(json.AsMemory(0, length));
        }
        catch (JsonException e)
        {
            return Problem(400, "Malformed JSON", $"{e.Message}");
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(json);
        }
        if (batch is null) return Problem(400, "Malformed JSON", "The body is empty or null.");
        if (batch.SchemaVersion != WireConstants.SchemaVersion)
            return Problem(422, "Unsupported schema version", $"This server accepts schemaVersion {WireConstants.SchemaVersion}; got {batch.SchemaVersion}.");
        if (batch.Records.Count + batch.Metrics.Count + batch.Heartbeats.Count + batch.SecurityEvents.Count > WireConstants.MaxBatchItems)
            return Problem(413, "Too many items", $"At most {WireConstants.MaxBatchItems} items per batch.");

        var rejected = IngestValidator.Filter(batch);
        var accepted = batch.Records.Count + batch.Metrics.Count + batch.Heartbeats.Count + batch.SecurityEvents.Count;
        await store.StoreAsync(projectId.Value, batch, ct);
        return Results.Json(new IngestResponse(accepted, rejected), IngestJsonContext.Default.IngestResponse);
    }

    /// <summary>
    /// Reads the (inflated) body into a pooled buffer, at most <paramref name="limit"/> bytes; the
    /// caller returns the buffer to <see cref="System.Buffers.ArrayPool{T}.Shared"/>. Pooled because a
    /// batch is typically 0.5–1 MiB of JSON: fresh arrays of that size land on the large object heap
    /// and made every request zero new pages.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadLimitedAsync(Stream body, long limit, long? contentLength, CancellationToken ct)
    {
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        // A gzip body inflates to several times its length; start there and grow by doubling.
        var buffer = pool.Rent((int)Math.Min(Math.Max((contentLength ?? 0) * 8, 64 * 1024), Math.Min(limit + 1, 16 * 1024 * 1024)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) throw new LimitExceededException();
                    var larger = pool.Rent((int)Math.Min(Math.Min((long)buffer.Length * 2, limit + 1), Array.MaxLength));
                    if (larger.Length <= length)
                    {
                        pool.Return(larger);
                        throw new LimitExceededException();
                    }
                    buffer.AsSpan(0, length).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
                var n = await body.ReadAsync(buffer.AsMemory(length), ct);
                if (n == 0) break;
                length += n;
                if (length > limit) throw new LimitExceededException();
            }
            return (buffer, length);
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    private static IResult Problem(int status, string title, string detail, string? type = null)
        => Results.Problem(statusCode: status, title: title, detail: detail, type: type);

    private sealed class LimitExceededException : Exception;
}
