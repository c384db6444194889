using Microsoft.AspNetCore.Authorization;

namespace Sightline.ApiKeys;

/// <summary>Requires the authenticated key to have been granted <see cref="Scope"/> (claim <see cref="ApiKeyClaimTypes.Scope"/>).</summary>
/// <param name="scope">The scope, e.g. <c>orders:write</c>. Compared case-sensitively.</param>
public sealed class ScopeRequirement(string scope) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>The required scope.</summary>
    public string Scope { get; } = !string.IsNullOrWhiteSpace(scope) ? scope : throw new ArgumentException("A scope must not be empty.", nameof(scope));

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(ApiKeyClaimTypes.Scope, requirement.Scope)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"Requires API-key scope '{Scope}'.";
}
