namespace Sightline.Server.Tests.Storage;

/// <summary>The store contract against a real SQLite file.</summary>
public sealed class SqliteStoreContractTests(SqliteStoreFixture fixture) : StoreContractTests(fixture), IClassFixture<SqliteStoreFixture>;
