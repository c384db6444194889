namespace Sightline.ApiKeys;

/// <summary>Defaults of the API-key authentication scheme.</summary>
public static class ApiKeyDefaults
{
    /// <summary>The default scheme name, <c>ApiKey</c>.</summary>
    public const string AuthenticationScheme = "ApiKey";

    /// <summary>The default header, <c>X-Api-Key</c>.</summary>
    public const string HeaderName = "X-Api-Key";
}
