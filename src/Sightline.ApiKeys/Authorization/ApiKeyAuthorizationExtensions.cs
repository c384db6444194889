using Microsoft.AspNetCore.Authorization;
using Sightline.ApiKeys;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scopes as authorization requirements on endpoints, groups and policies.</summary>
public static class ApiKeyAuthorizationExtensions
{
    /// <summary>Requires every one of <paramref name="scopes"/> on the endpoint or group: <c>group.RequireScope("orders:write")</c>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var attribute = new RequireScopeAttribute(scopes);
        builder.Add(endpoint => endpoint.Metadata.Add(attribute));
        return builder;
    }

    /// <summary>Adds a requirement for every one of <paramref name="scopes"/> to a policy.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scopes);
        foreach (var scope in scopes) builder.AddRequirements(new ScopeRequirement(scope));
        return builder;
    }
}
