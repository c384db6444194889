using Sightline.Protocol.Wire;

namespace Sightline.Server.Storage;

/// <summary>An ingest batch waiting for the SQLite writer, with its pre-serialized record bodies (UTF-8 JSON); <see cref="Done"/> completes after the commit that holds it.</summary>
internal sealed class PendingBatch(long projectId, IngestBatch batch, byte[][] bodies)
{
    public long ProjectId { get; } = projectId;
    public IngestBatch Batch { get; } = batch;
    public byte[][] Bodies { get; } = bodies;
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
