namespace Sightline.Redaction;

/// <summary>What to do with text bodies that are neither JSON nor form-encoded (they cannot be redacted by path).</summary>
public enum TextBodyPolicy
{
    /// <summary>Drop the content and record only size and content type (default: fail closed).</summary>
    Drop,

    /// <summary>Keep the content as captured (capped).</summary>
    Keep,
}
