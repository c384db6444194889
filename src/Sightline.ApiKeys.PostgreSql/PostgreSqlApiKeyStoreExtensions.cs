using Sightline.ApiKeys;
using Sightline.ApiKeys.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="PostgreSqlApiKeyStore"/> as the <see cref="IApiKeyStore"/>.</summary>
public static class PostgreSqlApiKeyStoreExtensions
{
    /// <summary>Stores keys in the PostgreSQL database at <paramref name="connectionString"/>, table <paramref name="table"/> (created if missing).</summary>
    public static IServiceCollection AddPostgreSqlApiKeyStore(this IServiceCollection services, string connectionString, string table = PostgreSqlApiKeyStore.DefaultTable)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddSingleton<IApiKeyStore>(new PostgreSqlApiKeyStore(connectionString, table));
    }
}
