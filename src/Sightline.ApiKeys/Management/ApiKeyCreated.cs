namespace Sightline.ApiKeys;

/// <summary>A newly issued key: <see cref="Key"/> is the only time the full key is available; show it once.</summary>
/// <param name="Key">The full key. Not stored anywhere.</param>
/// <param name="Record">What was stored (hash and metadata).</param>
public sealed record ApiKeyCreated(string Key, ApiKeyRecord Record);
