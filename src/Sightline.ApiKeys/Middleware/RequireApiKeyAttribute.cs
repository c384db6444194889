namespace Sightline.ApiKeys;

/// <summary>
/// Marks an endpoint, group, controller or action as requiring a valid API key on the light path
/// (<c>app.UseApiKeys()</c>): <c>[RequireApiKey]</c>, or <c>endpoints.RequireApiKey()</c>. Unlike <c>[Authorize]</c> it
/// does not make the framework's authorization middleware evaluate a policy, which is what makes the light path light.
/// <c>[AllowAnonymous]</c> wins over it. The handler path (<c>UseAuthentication</c>/<c>UseAuthorization</c>) ignores it:
/// there, use <c>RequireAuthorization()</c> or a fallback policy.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RequireApiKeyAttribute : Attribute
{
}
