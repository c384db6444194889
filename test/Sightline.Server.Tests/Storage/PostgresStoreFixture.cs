using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>A fresh PostgreSQL database for the test class (created on first use, dropped after) and a <see cref="PostgresStore"/> on it.</summary>
public sealed class PostgresStoreFixture : IStoreFixture, IDisposable
{
    private readonly Lazy<(PostgresTestDatabase Database, PostgresStore Store)> _state = new(() =>
    {
        var database = PostgresTestDatabase.Create();
        return (database, new PostgresStore(database.ConnectionString));
    });

    public ISightlineStore Store => _state.Value.Store;

    public PostgresTestDatabase Database => _state.Value.Database;

    public void Dispose()
    {
        if (!_state.IsValueCreated) return;
        _state.Value.Store.Dispose();
        _state.Value.Database.Dispose();
    }
}
