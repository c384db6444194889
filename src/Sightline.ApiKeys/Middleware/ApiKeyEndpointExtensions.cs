using Sightline.ApiKeys;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Marks endpoints and groups for the light API-key path (<c>app.UseApiKeys()</c>).</summary>
public static class ApiKeyEndpointExtensions
{
    private static readonly RequireApiKeyAttribute s_requireApiKey = new();

    /// <summary>Requires a valid API key on the endpoint or group when <c>app.UseApiKeys()</c> is in the pipeline: <c>group.RequireApiKey()</c>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(static endpoint => endpoint.Metadata.Add(s_requireApiKey));
        return builder;
    }
}
