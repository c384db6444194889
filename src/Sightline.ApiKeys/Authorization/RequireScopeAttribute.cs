using Microsoft.AspNetCore.Authorization;

namespace Sightline.ApiKeys;

/// <summary>
/// Requires the caller to be authenticated with every one of the given scopes, on a controller, action or endpoint:
/// <c>[RequireScope("orders:write")]</c>. Denials are answered 403 with reason <c>scope_missing</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireScopeAttribute : Attribute, IAuthorizeData, IAuthorizationRequirementData
{
    /// <summary>Requires all of <paramref name="scopes"/>.</summary>
    public RequireScopeAttribute(params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0) throw new ArgumentException("Name at least one scope.", nameof(scopes));
        Scopes = scopes;
    }

    /// <summary>The required scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The schemes to authenticate with; default (null): the default authentication scheme.</summary>
    public string? AuthenticationSchemes { get; set; }

    string? IAuthorizeData.Policy { get; set; }

    string? IAuthorizeData.Roles { get; set; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements()
    {
        foreach (var scope in Scopes) yield return new ScopeRequirement(scope);
    }
}
