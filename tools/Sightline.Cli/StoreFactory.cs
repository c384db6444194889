using Microsoft.Extensions.Configuration;
using Sightline.ApiKeys;
using Sightline.ApiKeys.PostgreSql;
using Sightline.ApiKeys.Sqlite;

namespace Sightline.Cli;

/// <summary>Opens the store the options name, and the hasher configured like the app's (<c>Sightline:ApiKeys</c>).</summary>
internal static class StoreFactory
{
    public static IConfiguration Configuration(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new CliException($"--config: file '{configFile}' does not exist.");
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        return builder.AddEnvironmentVariables().Build();
    }

    public static IApiKeyStore Open(string kind, string? connection, string table, IConfiguration configuration) => kind switch
    {
        "sqlite" => new SqliteApiKeyStore(Require(connection, kind), table),
        "postgres" => new PostgreSqlApiKeyStore(Require(connection, kind), table),
        "config" => new ConfigurationApiKeyStore(configuration),
        _ => throw new CliException($"--store: unknown store '{kind}'; use sqlite, postgres or config."),
    };

    public static ApiKeyHasher Hasher(IConfiguration configuration)
    {
        var options = new ApiKeyOptions();
        configuration.GetSection(ApiKeyOptions.Section).Bind(options);
        try { return new ApiKeyHasher(options); }
        catch (ArgumentException e) { throw new CliException(e.Message.Split(" (Parameter")[0]); }
    }

    private static string Require(string? connection, string kind) =>
        !string.IsNullOrWhiteSpace(connection) ? connection
        : throw new CliException($"--connection (or SIGHTLINE_APIKEYS_CONNECTION) is required for the {kind} store, e.g. " +
            (kind == "sqlite" ? "\"Data Source=./data/sightline.db\"" : "\"Host=localhost;Database=app;Username=app\"") + ".");
}

/// <summary>A user error: printed without a stack trace, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
