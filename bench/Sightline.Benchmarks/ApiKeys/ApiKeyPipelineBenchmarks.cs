using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.ApiKeys;

namespace Sightline.Benchmarks.ApiKeys;

/// <summary>
/// A request through UseAuthentication + UseAuthorization (fallback policy: authenticated) with a cached valid key,
/// against the same endpoint with no authentication (baseline), on DefaultHttpContext with a fresh request scope
/// each time, as the server does per request. The difference is the per-request cost AddApiKey adds in the app.
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*ApiKeyPipelineBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ApiKeyPipelineBenchmarks
{
    private IServiceProvider _services = null!;
    private RequestDelegate _bare = null!;
    private RequestDelegate _protected = null!;
    private string _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRouting();
        services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey();
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        _services = services.BuildServiceProvider();
        _key = _services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Name = "bench", ConsumerId = "c1", Scopes = ["a", "b"] })
            .GetAwaiter().GetResult().Key;

        _bare = Endpoint;
        var app = new ApplicationBuilder(_services);
        app.UseAuthentication();
        app.UseAuthorization();
        app.Run(Endpoint);
        _protected = app.Build();
        if (Run(_protected).GetAwaiter().GetResult() != 200) throw new InvalidOperationException("not authenticated");
    }

    private static Task Endpoint(HttpContext context)
    {
        context.Response.StatusCode = 200;
        return Task.CompletedTask;
    }

    private async Task<int> Run(RequestDelegate pipeline)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        context.Request.Headers[ApiKeyDefaults.HeaderName] = _key;
        await pipeline(context);
        return context.Response.StatusCode;
    }

    [Benchmark(Baseline = true, Description = "endpoint, no authentication")]
    public Task<int> Bare() => Run(_bare);

    [Benchmark(Description = "endpoint behind AddApiKey (cached valid key)")]
    public Task<int> Protected() => Run(_protected);
}
