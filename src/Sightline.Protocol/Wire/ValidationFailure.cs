namespace Sightline.Protocol.Wire;

/// <summary>A validation failure on one field of a 400/422 response.</summary>
public sealed class ValidationFailure
{
    /// <summary>The field name, as the app reported it.</summary>
    public string Field { get; set; } = "";

    /// <summary>The messages for that field.</summary>
    public List<string> Messages { get; set; } = [];
}
