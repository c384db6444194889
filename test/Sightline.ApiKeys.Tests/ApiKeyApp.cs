using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys.Tests;

/// <summary>An app protected by AddApiKey on real Kestrel at 127.0.0.1, with endpoints for every check.</summary>
internal sealed class ApiKeyApp : IAsyncDisposable
{
    private ApiKeyApp(WebApplication app, CapturingLoggerProvider logs)
    {
        App = app;
        Logs = logs;
    }

    public WebApplication App { get; }
    public HttpClient Client { get; } = new();
    public Uri Address { get; private set; } = null!;
    public IApiKeyManager Manager => App.Services.GetRequiredService<IApiKeyManager>();
    public IApiKeyStore Store => App.Services.GetRequiredService<IApiKeyStore>();
    public CapturingLoggerProvider Logs { get; }

    public static async Task<ApiKeyApp> StartAsync(
        Action<ApiKeyAuthenticationOptions>? configure = null,
        IApiKeyStore? store = null,
        TimeProvider? timeProvider = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? first = null,
        Dictionary<string, string?>? configuration = null,
        Action<ApiKeyMiddlewareOptions>? light = null,
        bool defaultScheme = true)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var logs = new CapturingLoggerProvider();
        builder.Logging.AddProvider(logs);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (configuration is not null) builder.Configuration.AddInMemoryCollection(configuration);
        if (store is not null) builder.Services.AddSingleton(store);
        if (timeProvider is not null) builder.Services.AddSingleton(timeProvider);
        var authentication = defaultScheme
            ? builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            : builder.Services.AddAuthentication();
        authentication.AddApiKey(configure);
        builder.Services.AddAuthorization();
        builder.Services.AddControllers().AddApplicationPart(typeof(ApiKeyApp).Assembly);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        first?.Invoke(app);
        if (light is null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        else
        {
            // The light path: UseApiKeys adds UseAuthentication and UseAuthorization after itself.
            app.UseApiKeys(light);
        }
        app.MapGet("/public", () => "public");
        app.MapGet("/hello", WhoAmI).RequireAuthorization();
        // Only for the light path: RequireApiKey alone (no authorization policy runs for it).
        app.MapGet("/whoami", WhoAmI).RequireApiKey();
        app.MapGet("/orders", () => "orders").RequireScope("orders:read");
        app.MapPost("/orders", () => "created").RequireScope("orders:write");
        app.MapGet("/staff", () => "staff").RequireAuthorization(p => p.RequireRole("staff")).RequireApiKey();
        // A policy on a claim every key's principal carries: works after either path set the user.
        app.MapGet("/enterprise", (HttpContext context) => context.User.Identity?.Name)
            .RequireAuthorization(p => p.RequireClaim(ApiKeyClaimTypes.ConsumerGroup, "Enterprise")).RequireApiKey();
        // Names the scheme explicitly: the policy evaluator calls the ApiKey handler even without a default scheme.
        app.MapGet("/scheme", (HttpContext context) => context.User.FindFirst(ApiKeyClaimTypes.KeyId)?.Value)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(ApiKeyDefaults.AuthenticationScheme).RequireAuthenticatedUser()).RequireApiKey();
        var admin = app.MapGroup("/admin").RequireScope("admin");
        admin.MapGet("/users", () => "users");
        admin.MapGet("/status", () => "open").AllowAnonymous();
        var keyed = app.MapGroup("/keyed").RequireApiKey();
        keyed.MapGet("/items", () => "items");
        keyed.MapGet("/health", () => "healthy").AllowAnonymous();
        app.MapControllers();
        await app.StartAsync();
        var result = new ApiKeyApp(app, logs);
        result.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        result.Client.BaseAddress = result.Address;
        return result;
    }

    private static IResult WhoAmI(HttpContext context) => Results.Json(new Caller(
        context.User.FindFirst(ApiKeyClaimTypes.KeyId)?.Value,
        context.User.FindFirst(ApiKeyClaimTypes.KeyName)?.Value,
        context.User.FindFirst(ApiKeyClaimTypes.ConsumerId)?.Value,
        context.User.Identity?.Name,
        context.User.FindFirst(ApiKeyClaimTypes.ConsumerGroup)?.Value,
        context.User.FindAll(ApiKeyClaimTypes.Scope).Select(c => c.Value).ToArray(),
        context.Connection.RemoteIpAddress?.ToString(),
        context.User.Identity?.AuthenticationType));

    public Task<HttpResponseMessage> GetAsync(string path, string? key, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Get, path, key, configure);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }

    public Task<ApiKeyCreated> CreateKeyAsync(string name = "test key", Action<ApiKeyCreateRequest>? configure = null)
    {
        var request = new ApiKeyCreateRequest { Name = name, ConsumerId = "customer-42", ConsumerName = "Acme", ConsumerGroup = "Enterprise" };
        configure?.Invoke(request);
        return Manager.CreateAsync(request);
    }

    public Task FlushLastUsedAsync() => App.Services.GetRequiredService<LastUsedFlusher>().FlushAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        if (status == HttpStatusCode.Unauthorized)
        {
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("ApiKey", challenge.Scheme);
            Assert.Contains($"error=\"{reason}\"", challenge.Parameter, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(response.Headers.WwwAuthenticate);
        }
        return problem;
    }
}

internal sealed record Caller(string? KeyId, string? KeyName, string? ConsumerId, string? ConsumerName, string? ConsumerGroup, string[] Scopes, string? ClientIp, string? AuthenticationType = null);

[ApiController]
[Route("reports")]
[RequireScope("reports:read")]
public sealed class ReportsController : ControllerBase
{
    [HttpGet]
    public string Get() => "reports";

    [HttpPost]
    [RequireScope("reports:write")]
    public string Post() => "report created";
}

[ApiController]
[Route("keyed-controller")]
[RequireApiKey]
public sealed class KeyedController : ControllerBase
{
    [HttpGet]
    public string Get() => User.FindFirst(ApiKeyClaimTypes.KeyId)?.Value ?? "";

    [HttpGet("open")]
    [Microsoft.AspNetCore.Authorization.AllowAnonymous]
    public string Open() => "open";
}
