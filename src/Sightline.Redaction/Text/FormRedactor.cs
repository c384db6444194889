using System.Collections.Frozen;
using Sightline.Redaction.Text;

namespace Sightline.Redaction;

/// <summary>Redacts <c>application/x-www-form-urlencoded</c> bodies by field name (case-insensitive).</summary>
public sealed class FormRedactor
{
    private readonly FrozenSet<string> _names;

    /// <summary>Creates a redactor for <paramref name="fieldNames"/>.</summary>
    public FormRedactor(IEnumerable<string> fieldNames) => _names = UrlEncodedRedactor.CreateSet(fieldNames);

    /// <summary>True when no field is redacted.</summary>
    public bool IsEmpty => _names.Count == 0;

    /// <summary>Returns <paramref name="formBody"/> with the value of every listed field replaced by the URL-encoded redacted value.</summary>
    public string Redact(string formBody) => UrlEncodedRedactor.Redact(formBody, _names);
}
