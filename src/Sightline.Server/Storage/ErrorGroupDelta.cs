namespace Sightline.Server.Storage;

/// <summary>
/// The errors of one fingerprint within a batch, summed before one upsert (count, first and last
/// seen, and the message and record of the latest occurrence). Also merges consumers seen in a batch.
/// </summary>
internal sealed class ErrorGroupDelta(string type, long ts)
{
    public string Type { get; } = type;
    public string Message { get; private set; } = "";
    public long FirstSeen { get; private set; } = ts;
    public long LastSeen { get; private set; } = ts;
    public long Count { get; private set; }
    public Guid LastRecord { get; private set; }

    public void Add(string message, long ts, Guid record)
    {
        Count++;
        FirstSeen = Math.Min(FirstSeen, ts);
        if (Count == 1 || ts >= LastSeen)
        {
            LastSeen = Math.Max(LastSeen, ts);
            Message = message;
            LastRecord = record;
        }
    }

    /// <summary>Keeps the latest non-null name and group of a consumer and the latest time it was seen.</summary>
    public static void MergeConsumer(IDictionary<string, (string? Name, string? Group, long Ts)> consumers, string identifier, string? name, string? group, long ts)
    {
        consumers[identifier] = consumers.TryGetValue(identifier, out var known)
            ? (name ?? known.Name, group ?? known.Group, Math.Max(ts, known.Ts))
            : (name, group, ts);
    }
}
