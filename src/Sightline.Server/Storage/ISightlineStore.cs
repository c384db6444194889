using Sightline.Protocol.Wire;
using Sightline.Server.Query;

namespace Sightline.Server.Storage;

/// <summary>
/// The server's storage: projects, ingest keys, users, raw records, per-minute rollups and what is
/// derived from them. Implemented by <see cref="SqliteStore"/> (embedded default) and by
/// <see cref="PostgresStore"/> (scale-out); both pass the same contract test suite. Implementations hold no
/// state that must be global, so several servers can share one database.
/// </summary>
public partial interface ISightlineStore : IDisposable
{
    /// <summary>Writers waiting for the store (for ingest backpressure).</summary>
    int PendingWrites { get; }

    /// <summary>Checks the store can be read (for /readyz).</summary>
    bool IsReady();

    /// <summary>Returns the id of project <paramref name="name"/>, creating it when missing.</summary>
    (long Id, bool Created) EnsureProject(string name);

    /// <summary>Creates user <paramref name="username"/> when missing; true when created.</summary>
    bool EnsureUser(string username, string password);

    /// <summary>True when the user exists and the password matches its hash.</summary>
    bool VerifyUser(string username, string password);

    /// <summary>
    /// Stores a validated batch durably (a 2xx to the SDK follows this). Items already stored (same
    /// id) are skipped, so a retried batch never double-counts records or metrics.
    /// </summary>
    Task StoreAsync(long projectId, IngestBatch batch, CancellationToken cancellationToken);

    /// <summary>Deletes raw records and rollups older than their windows without blocking ingest for long.</summary>
    Task<int> ApplyRetentionAsync(DateTimeOffset recordsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken);

    /// <summary>Overview for a range, from the rollups only.</summary>
    Overview GetOverview(long projectId, DateTimeOffset from, DateTimeOffset to);

    /// <summary>Every endpoint (inventory and traffic) with its numbers for the range.</summary>
    IReadOnlyList<EndpointStats> GetEndpoints(long projectId, DateTimeOffset from, DateTimeOffset to);

    /// <summary>One page of the request log, newest first; cursor pagination on (timestamp, id).</summary>
    RequestPage SearchRequests(long projectId, RequestFilter filter);

    /// <summary>One stored record (redacted as the SDK sent it), or null.</summary>
    RequestRecord? GetRequest(long projectId, Guid id);

    /// <summary>Error groups, most recent first.</summary>
    IReadOnlyList<ErrorGroup> GetErrorGroups(long projectId, int limit = 100);

    /// <summary>
    /// Consumers with their traffic in the range (from rollups). With an <paramref name="environment"/>, only the
    /// consumers with requests in that environment in the range, counting only those requests.
    /// </summary>
    IReadOnlyList<ConsumerStats> GetConsumers(long projectId, DateTimeOffset from, DateTimeOffset to, string? environment = null);

    /// <summary>
    /// Refused API-key attempts, newest first. With an <paramref name="environment"/>, only the events reported in a
    /// batch of that environment (events stored before security events carried one have none and show only without a filter).
    /// </summary>
    IReadOnlyList<SecurityEventRow> GetSecurityEvents(long projectId, int limit = 200, string? environment = null);

    /// <summary>SDK instances; silent when no heartbeat came for three intervals.</summary>
    IReadOnlyList<InstanceRow> GetInstances(long projectId, DateTimeOffset now);
}
