using Sightline.ApiKeys;
using Sightline.ApiKeys.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="SqliteApiKeyStore"/> as the <see cref="IApiKeyStore"/>.</summary>
public static class SqliteApiKeyStoreExtensions
{
    /// <summary>Stores keys in the SQLite database at <paramref name="connectionString"/>, table <paramref name="table"/> (created if missing).</summary>
    public static IServiceCollection AddSqliteApiKeyStore(this IServiceCollection services, string connectionString, string table = SqliteApiKeyStore.DefaultTable)
    {
        ArgumentNullException.ThrowIfNull(services);
        var store = new SqliteApiKeyStore(connectionString, table);
        return services.AddSingleton<IApiKeyStore>(store);
    }
}
