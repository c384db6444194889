using Microsoft.Data.Sqlite;

namespace Sightline.Server.Storage;

/// <summary>
/// Copies the write-ahead log back into the database file (a PASSIVE checkpoint) on a thread of its
/// own, so the single ingest writer does not: with SQLite's default, the commit that takes the WAL
/// past 1,000 pages runs the checkpoint itself (reading the WAL, writing the pages into the file,
/// two fsyncs) while every other batch waits for the writer. The writer signals after each commit;
/// checkpoints are at least <see cref="MinInterval"/> apart, so under load one copies many commits'
/// pages at once. A PASSIVE checkpoint never blocks the writer or the readers. The writer keeps
/// SQLite's automatic checkpoint at 1,000 pages: under sustained ingest this thread rarely finishes
/// between two commits, so the WAL would only ever restart from its beginning (and stop growing)
/// when the writer's own checkpoint runs; by then this thread has copied almost every page, so the
/// writer's checkpoint is cheap (measured: the writer's CPU per record is the same at 1,000 and at
/// 8,000 pages, and the WAL stays near 22–24 MB (measured) instead of reaching 130 MiB).
/// Durability does not depend on it: a committed transaction is already synced in the WAL.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>The writer connection's own automatic checkpoint, in pages (16 MiB with 16 KiB pages): what bounds the WAL's size.</summary>
    public const int WriterAutoCheckpointPages = 1000;

    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(25);
    private readonly Func<SqliteConnection> _open;
    private readonly AutoResetEvent _signal = new(false);
    private readonly ManualResetEvent _stop = new(false);
    private readonly Lock _lock = new();
    private Thread? _thread;
    private int _checkpoints;
    private bool _disposed;

    public SqliteCheckpointer(Func<SqliteConnection> open) => _open = open;

    /// <summary>Checkpoints run so far (for tests).</summary>
    public int Checkpoints => Volatile.Read(ref _checkpoints);

    /// <summary>Asks for a checkpoint soon (called by the writer after a commit); never blocks.</summary>
    public void Request()
    {
        lock (_lock)
        {
            if (_disposed) return;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "sightline-sqlite-checkpoint" };
                _thread.Start();
            }
            _signal.Set();
        }
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        var handles = new WaitHandle[] { _stop, _signal };
        try
        {
            while (WaitHandle.WaitAny(handles) == 1)
            {
                try
                {
                    connection ??= _open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    command.ExecuteNonQuery();
                    Interlocked.Increment(ref _checkpoints);
                }
                catch (SqliteException)
                {
                    // Nothing is lost (the WAL keeps the pages); the next signal tries again on a fresh connection.
                    connection?.Dispose();
                    connection = null;
                }
                if (_stop.WaitOne(MinInterval)) break;
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>Stops the thread (waiting for a checkpoint in progress).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop.Set();
        _thread?.Join();
        _signal.Dispose();
        _stop.Dispose();
    }
}
