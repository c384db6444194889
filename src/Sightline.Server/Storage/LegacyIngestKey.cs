namespace Sightline.Server.Storage;

/// <summary>A row of the legacy <c>ingest_keys</c> table: a key of the server's own format from before ingest keys moved to Sightline.ApiKeys.</summary>
/// <param name="KeyId">The 12-character id (the key's non-secret part).</param>
/// <param name="ProjectId">The project the key ingests into.</param>
/// <param name="Hash">SHA-256 of the whole key.</param>
/// <param name="Created">When it was issued.</param>
/// <param name="Revoked">True when it was revoked before the upgrade.</param>
public sealed record LegacyIngestKey(string KeyId, long ProjectId, byte[] Hash, DateTimeOffset Created, bool Revoked);
