using System.Collections.Frozen;
using Sightline.Redaction.Text;

namespace Sightline.Redaction;

/// <summary>Redacts query-string parameters by name (case-insensitive, names compared after URL-decoding).</summary>
public sealed class QueryStringRedactor
{
    private readonly FrozenSet<string> _names;

    /// <summary>Creates a redactor for <paramref name="parameterNames"/>.</summary>
    public QueryStringRedactor(IEnumerable<string> parameterNames) => _names = UrlEncodedRedactor.CreateSet(parameterNames);

    /// <summary>True when no parameter is redacted.</summary>
    public bool IsEmpty => _names.Count == 0;

    /// <summary>
    /// Returns <paramref name="query"/> (with or without its leading <c>?</c>) with the value of every listed
    /// parameter replaced by the URL-encoded <see cref="RedactionDefaults.RedactedValue"/>; order and other parameters are kept.
    /// </summary>
    public string Redact(string query) => UrlEncodedRedactor.Redact(query, _names);
}
