using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>A real SQLite file in a temp folder, deleted after the test class.</summary>
public sealed class SqliteStoreFixture : IStoreFixture, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-store-tests", Guid.NewGuid().ToString("n"));
    private readonly Lazy<SqliteStore> _store;

    public SqliteStoreFixture() => _store = new(() => new SqliteStore(Path.Combine(_directory, "sightline.db")));

    public ISightlineStore Store => _store.Value;

    public void Dispose()
    {
        if (_store.IsValueCreated) _store.Value.Dispose();
        try
        {
            Directory.Delete(_directory, true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
