using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using Sightline.Server.Hosting;

namespace Sightline.Server.Storage;

/// <summary>Opens the store named by <see cref="ServerOptions.Storage"/>; a bad combination of options fails start-up with a message naming the option.</summary>
internal static class StoreFactory
{
    private const string StorageOption = ServerOptions.SectionName + ":Storage";
    private const string ConnectionOption = ServerOptions.SectionName + ":ConnectionString";

    public static ISightlineStore Create(ServerOptions options)
    {
        var kind = options.Storage?.Trim() ?? "";
        if (kind.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            if (!string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException(
                    $"{ConnectionOption} is set but {StorageOption} is 'sqlite', which does not use it: set {StorageOption}=postgres to use PostgreSQL, or remove {ConnectionOption}.");
            if (string.IsNullOrWhiteSpace(options.DataDirectory))
                throw new InvalidOperationException($"{ServerOptions.SectionName}:DataDirectory is empty: name the folder for the SQLite file (default: data).");
            return new SqliteStore(Path.Combine(options.DataDirectory, "sightline.db"));
        }
        if (kind.Equals("postgres", StringComparison.OrdinalIgnoreCase) || kind.Equals("postgresql", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException(
                    $"{ConnectionOption} is required when {StorageOption} is 'postgres', e.g. Host=db.internal;Database=sightline;Username=sightline;Password=….");
            NpgsqlConnectionStringBuilder parsed;
            try
            {
                parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{ConnectionOption} is not a valid Npgsql connection string: {e.Message}", e);
            }
            try
            {
                return new PostgresStore(options.ConnectionString);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // The message names host and database, never the password.
                throw new InvalidOperationException(
                    $"Could not open the PostgreSQL store named by {ConnectionOption} (host '{parsed.Host}', port {parsed.Port}, database '{parsed.Database}'): {e.Message}", e);
            }
        }
        throw new InvalidOperationException($"{StorageOption} '{options.Storage}' is not supported: use 'sqlite' (default) or 'postgres'.");
    }

    /// <summary>
    /// Where data-protection keys (sign-in cookies, antiforgery) live: in PostgreSQL when the store is
    /// there, so every server behind a load balancer reads the same key ring; else in the data directory.
    /// </summary>
    public static void PersistKeys(IDataProtectionBuilder dataProtection, ISightlineStore store, ServerOptions options)
    {
        if (store is PostgresStore postgres)
            dataProtection.AddKeyManagementOptions(o => o.XmlRepository = new PostgresXmlRepository(postgres.DataSource));
        else
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys")));
    }
}
