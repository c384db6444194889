using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Sightline.Server.Storage;

/// <summary>ASP.NET Core data-protection keys in PostgreSQL, shared by every server on the database.</summary>
internal sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        using var query = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY created, name", connection);
        using var reader = query.ExecuteReader();
        var result = new List<XElement>();
        while (reader.Read()) result.Add(XElement.Parse(reader.GetString(0)));
        return result;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        using var insert = new NpgsqlCommand("INSERT INTO data_protection_keys (name, xml, created) VALUES (@n, @x, @c) ON CONFLICT (name) DO NOTHING", connection);
        insert.Parameters.AddWithValue("n", friendlyName);
        insert.Parameters.AddWithValue("x", element.ToString(SaveOptions.DisableFormatting));
        insert.Parameters.AddWithValue("c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        insert.ExecuteNonQuery();
    }
}
