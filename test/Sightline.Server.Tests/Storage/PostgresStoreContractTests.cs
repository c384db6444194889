namespace Sightline.Server.Tests.Storage;

/// <summary>The store contract against a real PostgreSQL server (a fresh database for this class).</summary>
[RequiresPostgres]
public sealed class PostgresStoreContractTests(PostgresStoreFixture fixture) : StoreContractTests(fixture), IClassFixture<PostgresStoreFixture>;
