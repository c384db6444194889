using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sightline.ApiKeys;
using Sightline.ApiKeys.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers API-key authentication: <c>builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => …)</c>.</summary>
public static class ApiKeyServiceCollectionExtensions
{
    /// <summary>Adds the <c>ApiKey</c> scheme.</summary>
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, Action<ApiKeyAuthenticationOptions>? configure = null) =>
        builder.AddApiKey(ApiKeyDefaults.AuthenticationScheme, configure);

    /// <summary>
    /// Adds an API-key scheme named <paramref name="scheme"/>. Also registers (once) what every scheme shares: the
    /// <see cref="ApiKeyOptions"/> (section <c>Sightline:ApiKeys</c>), an <see cref="InMemoryApiKeyStore"/> unless an
    /// <see cref="IApiKeyStore"/> is registered, <see cref="IApiKeyManager"/> (issuing keys of the first scheme's
    /// prefix), the validation cache, per-key rate limiters, scope checks and the background last-used writer.
    /// </summary>
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, string scheme, Action<ApiKeyAuthenticationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        var services = builder.Services;
        services.AddApiKeyCore();
        services.AddOptions<ApiKeyAuthenticationOptions>(scheme).BindConfiguration(ApiKeyOptions.Section).ValidateOnStart();
        services.TryAddSingleton<IApiKeyManager>(sp => new ApiKeyManager(
            sp.GetRequiredService<IApiKeyStore>(),
            sp.GetRequiredService<ApiKeyHasher>(),
            sp.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>().Get(scheme).Format,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ApiKeyCache>()));
        services.AddSingleton(new ApiKeySchemeMarker(scheme));
        return builder.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(scheme, configure);
    }

    private static void AddApiKeyCore(this IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(ApiKeyCache))) return;
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyAuthenticationOptions>, ApiKeyOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IApiKeyStore, InMemoryApiKeyStore>();
        services.TryAddSingleton(static sp => new ApiKeyHasher(sp.GetRequiredService<IOptions<ApiKeyOptions>>().Value));
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<ApiKeyMetrics>();
        services.AddSingleton<ApiKeyRefusals>();
        services.AddSingleton<ApiKeyRateLimiters>();
        services.AddSingleton<LastUsedTracker>();
        services.AddSingleton<ApiKeyHandlerServices>();
        services.AddSingleton<LastUsedFlusher>();
        services.AddHostedService(static sp => sp.GetRequiredService<LastUsedFlusher>());
        services.AddHostedService<QueryStringWarning>();
        // Our result handler answers scope_missing / rate_limited and delegates everything else to the framework's.
        services.RemoveAll<IAuthorizationMiddlewareResultHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiKeyAuthorizationResultHandler>();
    }

    internal sealed record ApiKeySchemeMarker(string Scheme);

    private sealed class QueryStringWarning(IEnumerable<ApiKeySchemeMarker> schemes, IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILogger<ApiKeyAuthenticationOptions> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var marker in schemes)
            {
                var o = options.Get(marker.Scheme);
                if (o.AllowQueryString) ApiKeyLog.QueryStringEnabled(logger, marker.Scheme, o.QueryParameterName, o.HeaderName);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
