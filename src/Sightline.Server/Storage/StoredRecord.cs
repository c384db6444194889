using Sightline.Protocol.Wire;

namespace Sightline.Server.Storage;

/// <summary>Columns of the records table derived from a record, the same in every store and insert path.</summary>
internal static class StoredRecord
{
    /// <summary><c>has_error</c>: the record carries an error, or its status is 5xx.</summary>
    public static bool HasError(RequestRecord record) => record.Errors is { Count: > 0 } || record.Status >= 500;
}
