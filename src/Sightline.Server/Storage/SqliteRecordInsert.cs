using Microsoft.Data.Sqlite;
using Sightline.Protocol.Wire;
using SQLitePCL;

namespace Sightline.Server.Storage;

/// <summary>
/// The record insert of the SQLite writer, prepared once per writer connection and bound through
/// SQLite's C API directly: the text columns come already encoded (<see cref="SqliteRecordColumns"/>,
/// built before the writer is taken), so the single writer thread only binds slices of one buffer
/// and steps. The binds call <c>e_sqlite3</c> (the library Microsoft.Data.Sqlite loads) with the
/// statement's raw handle, skipping the provider's per-call safe-handle reference counting;
/// <c>SQLITE_TRANSIENT</c> makes SQLite copy each value. Runs inside the writer's transaction
/// (the connection's).
/// </summary>
internal sealed class SqliteRecordInsert : IDisposable
{
    private const string Sql = """
        INSERT OR IGNORE INTO records (id, project_id, ts, direction, method, route, path, status, duration_ns, request_size, response_size,
            consumer, client_ip, has_error, environment, service, host, parent_id, body)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
        """;

    private static readonly IntPtr s_transient = new(-1);
    private static readonly byte[] s_empty = [0];
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteRecordInsert(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _statement));
    }

    /// <summary>Inserts record <paramref name="index"/> of the batch; false when a record with its id is already stored (a retried batch).</summary>
    public bool Insert(long projectId, RequestRecord record, long ts, SqliteRecordColumns columns, int index)
    {
        var s = _statement.DangerousGetHandle();
        try
        {
            Text(s, 1, columns, index, SqliteRecordColumns.Id);
            Check(Native.sqlite3_bind_int64(s, 2, projectId));
            Check(Native.sqlite3_bind_int64(s, 3, ts));
            Text(s, 4, columns, index, SqliteRecordColumns.Direction);
            Text(s, 5, columns, index, SqliteRecordColumns.Method);
            Text(s, 6, columns, index, SqliteRecordColumns.Route);
            Text(s, 7, columns, index, SqliteRecordColumns.Path);
            Check(Native.sqlite3_bind_int(s, 8, record.Status));
            Check(Native.sqlite3_bind_int64(s, 9, record.DurationNs));
            Check(Native.sqlite3_bind_int64(s, 10, record.RequestSize));
            Check(Native.sqlite3_bind_int64(s, 11, record.ResponseSize));
            Text(s, 12, columns, index, SqliteRecordColumns.Consumer);
            Text(s, 13, columns, index, SqliteRecordColumns.ClientIp);
            Check(Native.sqlite3_bind_int(s, 14, StoredRecord.HasError(record) ? 1 : 0));
            Text(s, 15, columns, index, SqliteRecordColumns.Environment);
            Text(s, 16, columns, index, SqliteRecordColumns.Service);
            Text(s, 17, columns, index, SqliteRecordColumns.Host);
            Text(s, 18, columns, index, SqliteRecordColumns.ParentId);
            Text(s, 19, columns, index, SqliteRecordColumns.Body);
            var rc = Native.sqlite3_step(s);
            if (rc != raw.SQLITE_DONE) Check(rc);
            return raw.sqlite3_changes(_db) == 1;
        }
        finally
        {
            Native.sqlite3_reset(s);
            GC.KeepAlive(_statement);
        }
    }

    private void Text(IntPtr statement, int parameter, SqliteRecordColumns columns, int index, int column)
    {
        var value = columns.Get(index, column, out var isNull);
        if (isNull) Check(Native.sqlite3_bind_null(statement, parameter));
        else if (value.IsEmpty) Check(Native.sqlite3_bind_text(statement, parameter, ref s_empty[0], 0, s_transient));
        else Check(Native.sqlite3_bind_text(statement, parameter, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(value), value.Length, s_transient));
    }

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>The few SQLite functions the insert calls per row, on raw handles.</summary>
    private static class Native
    {
        private const string Library = "e_sqlite3";

        [System.Runtime.InteropServices.DllImport(Library)]
        public static extern int sqlite3_bind_text(IntPtr statement, int index, ref byte value, int length, IntPtr destructor);

        [System.Runtime.InteropServices.DllImport(Library)]
        public static extern int sqlite3_bind_int64(IntPtr statement, int index, long value);

        [System.Runtime.InteropServices.DllImport(Library)]
        public static extern int sqlite3_bind_int(IntPtr statement, int index, int value);

        [System.Runtime.InteropServices.DllImport(Library)]
        public static extern int sqlite3_bind_null(IntPtr statement, int index);

        [System.Runtime.InteropServices.DllImport(Library)]
        public static extern int sqlite3_step(IntPtr statement);

        [System.Runtime.InteropServices.DllImport(Library)]
        public static extern int sqlite3_reset(IntPtr statement);
    }
}
