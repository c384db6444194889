using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Security;

/// <summary>
/// Ingest keys as the server issued them before they moved to Sightline.ApiKeys: the old generator
/// (<c>sl_ingest_&lt;id:12&gt;_&lt;secret:32&gt;</c>, SHA-256 of the key) and the old insert into <c>ingest_keys</c>, byte for byte.
/// </summary>
internal static class LegacyKeys
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Issues a key the way the old <c>CreateIngestKey</c> did and returns it.</summary>
    public static string Issue(ISightlineStore store, long projectId, bool revoked = false)
    {
        var id = Random(12);
        var key = $"sl_ingest_{id}_{Random(32)}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var created = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        switch (store)
        {
            case SqliteStore sqlite:
            {
                using var connection = new SqliteConnection(sqlite.ConnectionString);
                connection.Open();
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO ingest_keys (key_id, project_id, hash, prefix, created, revoked) VALUES ($id, $p, $h, $pre, $c, $r)";
                insert.Parameters.AddWithValue("$id", id);
                insert.Parameters.AddWithValue("$p", projectId);
                insert.Parameters.AddWithValue("$h", hash);
                insert.Parameters.AddWithValue("$pre", "sl_ingest_" + id);
                insert.Parameters.AddWithValue("$c", created);
                insert.Parameters.AddWithValue("$r", revoked ? 1 : 0);
                insert.ExecuteNonQuery();
                break;
            }
            case PostgresStore postgres:
            {
                using var connection = postgres.DataSource.OpenConnection();
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO ingest_keys (key_id, project_id, hash, prefix, created, revoked) VALUES (@id, @p, @h, @pre, @c, @r)";
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("p", projectId);
                insert.Parameters.AddWithValue("h", hash);
                insert.Parameters.AddWithValue("pre", "sl_ingest_" + id);
                insert.Parameters.AddWithValue("c", created);
                insert.Parameters.AddWithValue("r", revoked);
                insert.ExecuteNonQuery();
                break;
            }
            default:
                throw new NotSupportedException(store.GetType().Name);
        }
        return key;
    }

    private static string Random(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(chars);
    }
}
