using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>A ValueType value: a JSON value, a computed number, or Nothing (RFC 9535 §2.4.1).</summary>
internal readonly struct FilterValue
{
    private FilterValue(byte kind, JsonElement element, double number)
    {
        Kind = kind;
        Element = element;
        Number = number;
    }

    public const byte NothingKind = 0, ElementKind = 1, NumberKind = 2;

    public byte Kind { get; }
    public JsonElement Element { get; }
    public double Number { get; }

    public static FilterValue Nothing => default;
    public bool IsNothing => Kind == NothingKind;
    public static FilterValue Of(JsonElement element) => new(ElementKind, element, 0);
    public static FilterValue Of(double number) => new(NumberKind, default, number);

    public bool TryGetNumber(out double value)
    {
        if (Kind == NumberKind) { value = Number; return true; }
        if (Kind == ElementKind && Element.ValueKind == JsonValueKind.Number) { value = Element.GetDouble(); return true; }
        value = 0;
        return false;
    }

    public bool TryGetString(out string value)
    {
        if (Kind == ElementKind && Element.ValueKind == JsonValueKind.String) { value = Element.GetString()!; return true; }
        value = "";
        return false;
    }
}
