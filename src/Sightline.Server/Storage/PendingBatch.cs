using Sightline.Protocol.Wire;

namespace Sightline.Server.Storage;

/// <summary>An ingest batch waiting for the SQLite writer, with its records' text columns already encoded; <see cref="Done"/> completes after the commit that holds it.</summary>
internal sealed class PendingBatch(long projectId, IngestBatch batch, SqliteRecordColumns columns)
{
    public long ProjectId { get; } = projectId;
    public IngestBatch Batch { get; } = batch;
    public SqliteRecordColumns Columns { get; } = columns;
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
