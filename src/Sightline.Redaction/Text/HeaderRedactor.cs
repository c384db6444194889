using System.Collections.Frozen;

namespace Sightline.Redaction;

/// <summary>Decides which headers are redacted: the <see cref="RedactionDefaults.SensitiveHeaders"/> plus the given names, case-insensitively.</summary>
public sealed class HeaderRedactor
{
    private readonly FrozenSet<string> _names;

    /// <summary>Creates a redactor for the default sensitive headers plus <paramref name="names"/>.</summary>
    public HeaderRedactor(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = new HashSet<string>(RedactionDefaults.SensitiveHeaders, StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
            if (!string.IsNullOrWhiteSpace(name)) set.Add(name.Trim());
        _names = set.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The names redacted.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>True when the value of header <paramref name="headerName"/> must be replaced by <see cref="RedactionDefaults.RedactedValue"/>.</summary>
    public bool ShouldRedact(string headerName) => _names.Contains(headerName);
}
