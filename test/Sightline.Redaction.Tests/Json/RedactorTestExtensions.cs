using System.Buffers;
using System.Text;

namespace Sightline.Redaction.Tests.Json;

internal static class RedactorTestExtensions
{
    public static (JsonRedactionResult Result, string Output) Run(this JsonRedactor redactor, string json, bool truncated = false)
        => redactor.Run(Encoding.UTF8.GetBytes(json), truncated);

    public static (JsonRedactionResult Result, string Output) Run(this JsonRedactor redactor, byte[] utf8, bool truncated = false)
    {
        var output = new ArrayBufferWriter<byte>();
        var result = redactor.Redact(utf8, output, truncated);
        return (result, Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
