using System.Text;
using Microsoft.Data.Sqlite;
using Sightline.Protocol.Wire;
using SQLitePCL;

namespace Sightline.Server.Storage;

/// <summary>
/// The record insert of the SQLite writer, prepared once per writer connection and bound through
/// SQLite's own API: ids, short strings and the UTF-8 body go in from spans, so a row costs no
/// managed allocation and no <see cref="SqliteCommand"/> bookkeeping (statement enumeration,
/// parameter lookup, data reader) on the single writer thread. Runs inside the writer's
/// transaction (the connection's).
/// </summary>
internal sealed class SqliteRecordInsert : IDisposable
{
    private const string Sql = """
        INSERT OR IGNORE INTO records (id, project_id, ts, direction, method, route, path, status, duration_ns, request_size, response_size,
            consumer, client_ip, has_error, environment, service, host, parent_id, body)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteRecordInsert(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _statement));
    }

    /// <summary>Inserts one record; false when a record with its id is already stored (a retried batch).</summary>
    public bool Insert(long projectId, RequestRecord record, ServiceInfo? service, long ts, ReadOnlySpan<byte> body)
    {
        var s = _statement;
        Span<byte> id = stackalloc byte[36];
        try
        {
            record.Id.TryFormat(id, out _, "D");
            Check(raw.sqlite3_bind_text(s, 1, id));
            Check(raw.sqlite3_bind_int64(s, 2, projectId));
            Check(raw.sqlite3_bind_int64(s, 3, ts));
            Text(4, record.Direction);
            Text(5, record.Method);
            Text(6, record.RouteTemplate);
            Text(7, record.Path);
            Check(raw.sqlite3_bind_int(s, 8, record.Status));
            Check(raw.sqlite3_bind_int64(s, 9, record.DurationNs));
            Check(raw.sqlite3_bind_int64(s, 10, record.RequestSize));
            Check(raw.sqlite3_bind_int64(s, 11, record.ResponseSize));
            Text(12, record.Consumer?.Identifier);
            Text(13, record.ClientIp);
            Check(raw.sqlite3_bind_int(s, 14, record.Errors is { Count: > 0 } || record.Status >= 500 ? 1 : 0));
            Text(15, service?.Environment);
            Text(16, service?.Name);
            Text(17, record.Host);
            if (record.ParentId is { } parent)
            {
                parent.TryFormat(id, out _, "D");
                Check(raw.sqlite3_bind_text(s, 18, id));
            }
            else
            {
                Check(raw.sqlite3_bind_null(s, 18));
            }
            Check(raw.sqlite3_bind_text(s, 19, body));
            var rc = raw.sqlite3_step(s);
            if (rc != raw.SQLITE_DONE) Check(rc);
            return raw.sqlite3_changes(_db) == 1;
        }
        finally
        {
            raw.sqlite3_reset(s);
        }
    }

    private void Text(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }
        // Bound with SQLITE_TRANSIENT: SQLite copies the bytes, so a stack buffer is enough for short values.
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var utf8 = max <= 512 ? stackalloc byte[512] : new byte[max];
        Check(raw.sqlite3_bind_text(_statement, index, utf8[..Encoding.UTF8.GetBytes(value, utf8)]));
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();
}
