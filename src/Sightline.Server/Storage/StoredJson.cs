using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sightline.Protocol.Wire;

namespace Sightline.Server.Storage;

/// <summary>
/// How a record's JSON is kept in the <c>body</c> column: the wire contract with relaxed escaping,
/// so quotes in captured bodies stay <c>\"</c> instead of <c>\u0022</c> (a third smaller for JSON
/// bodies). Safe because the stored text is only ever parsed by the server, never written into HTML.
/// </summary>
internal static class StoredJson
{
    public static readonly JsonTypeInfo<RequestRecord> Record =
        new WireJsonContext(new JsonSerializerOptions(WireJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).RequestRecord;
}
