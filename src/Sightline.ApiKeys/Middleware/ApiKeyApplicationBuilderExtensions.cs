using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Sightline.ApiKeys;
using Sightline.ApiKeys.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The light API-key path: <c>app.UseApiKeys()</c>.</summary>
public static class ApiKeyApplicationBuilderExtensions
{
    // The keys ASP.NET Core's UseAuthentication/UseAuthorization set, and WebApplication reads so it does not add its implicit ones.
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>
    /// Validates API keys on endpoints that require one (<c>RequireApiKey()</c>, <c>RequireScope(…)</c>, or every endpoint
    /// with <see cref="ApiKeyMiddlewareOptions.RequireByDefault"/>; <c>[AllowAnonymous]</c> excepted) without the
    /// framework's authentication handler and policy machinery, using the options, store, cache and validator of an
    /// <c>AddApiKey</c> scheme. Call it after <c>UseRouting()</c> (implicit in <c>WebApplication</c>) and before
    /// <c>UseAuthorization()</c>. It then adds <c>UseAuthorization()</c> after itself unless it is already in the
    /// pipeline (so <c>[Authorize(Policy = …)]</c> sees the key's principal), and <c>UseAuthentication()</c> too when
    /// schemes other than <c>AddApiKey</c> ones are registered (when only API-key schemes are, it keeps
    /// <c>WebApplication</c> from adding its implicit <c>UseAuthentication()</c>, which would call the handler on every
    /// request); do not add them again after it. Requests the light path decided completely (scope-only endpoints, when
    /// the app's authorization is the framework's own) skip the authorization middleware.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scheme is not registered, or <c>UseAuthorization()</c> was called before.</exception>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app, Action<ApiKeyMiddlewareOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = new ApiKeyMiddlewareOptions();
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(options.Scheme)) throw new InvalidOperationException("ApiKeyMiddlewareOptions.Scheme must name an AddApiKey scheme.");
        var registered = false;
        foreach (var marker in app.ApplicationServices.GetServices<ApiKeyServiceCollectionExtensions.ApiKeySchemeMarker>())
        {
            registered |= string.Equals(marker.Scheme, options.Scheme, StringComparison.Ordinal);
        }
        if (!registered)
        {
            throw new InvalidOperationException(
                $"UseApiKeys: no API-key scheme '{options.Scheme}' is registered. Call builder.Services.AddAuthentication().AddApiKey(…) first, or set ApiKeyMiddlewareOptions.Scheme to the name given to AddApiKey.");
        }
        if (app.Properties.ContainsKey(AuthorizationMiddlewareSetKey))
        {
            throw new InvalidOperationException(
                "Call app.UseApiKeys() before app.UseAuthorization(): authorization policies must see the principal the key authenticates as.");
        }
        var isService = app.ApplicationServices.GetService<IServiceProviderIsService>();
        var authorization = isService?.IsService(typeof(IAuthorizationHandlerProvider)) == true;
        app.UseMiddleware<ApiKeyMiddleware>(options, authorization);
        if (!app.Properties.ContainsKey(AuthenticationMiddlewareSetKey) && isService?.IsService(typeof(IAuthenticationSchemeProvider)) == true)
        {
            if (OnlyApiKeySchemes(app.ApplicationServices.GetRequiredService<IAuthenticationSchemeProvider>()))
            {
                // The light path is all the authentication there is. Without this, WebApplication would add its implicit
                // UseAuthentication, and a lone scheme is the framework's automatic default: the ApiKey handler would run
                // on every request, protected or not. Policies that name the scheme still call it (it reuses our result).
                app.Properties[AuthenticationMiddlewareSetKey] = true;
            }
            else
            {
                app.UseAuthentication();
            }
        }
        if (authorization)
        {
            // Skipped for requests whose authorization the light path fully checked (scope-only endpoints, see
            // ApiKeyMiddleware); the branch's UseAuthorization does not mark this builder, so mark it for WebApplication.
            app.UseWhen(static context => context.Features.Get<ApiKeyAuthenticatedFeature>() is not { AuthorizationDone: true }, static branch => branch.UseAuthorization());
            app.Properties[AuthorizationMiddlewareSetKey] = true;
        }
        return app;
    }

    private static bool OnlyApiKeySchemes(IAuthenticationSchemeProvider provider)
    {
        // The default provider answers synchronously; this runs once, while the pipeline is built.
        foreach (var scheme in provider.GetAllSchemesAsync().GetAwaiter().GetResult())
        {
            if (scheme.HandlerType != typeof(ApiKeyAuthenticationHandler)) return false;
        }
        return true;
    }
}
