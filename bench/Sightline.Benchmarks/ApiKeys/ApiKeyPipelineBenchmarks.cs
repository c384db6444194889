using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sightline.ApiKeys;

namespace Sightline.Benchmarks.ApiKeys;

/// <summary>
/// One request through a whole <see cref="WebApplication"/> pipeline, in process: the host is built as the sample app
/// builds it (<c>AddControllers</c>, endpoint routing, the implicit or explicit authentication and authorization
/// middlewares, a minimal-API endpoint) and started on a server that hands requests to it directly (no sockets), so
/// what is measured is everything between Kestrel and the endpoint, per request, as in <c>bench/load.sh</c>:
/// <list type="bullet">
/// <item><c>Bare</c>: no authentication (the sample's <c>bare</c> mode).</item>
/// <item><c>NoopScheme</c>: authentication + authorization (fallback policy: authenticated user) with a trivial
/// handler that returns one prebuilt ticket: the framework's own cost.</item>
/// <item><c>ApiKey</c>: <c>AddApiKey</c> with a cached valid key in <c>X-Api-Key</c>, through the framework's
/// authentication and authorization (fallback policy) (the sample's <c>apikey-handler</c> mode).</item>
/// <item><c>ApiKeyScoped</c>: the same, the endpoint requiring a scope the key has.</item>
/// <item><c>Light</c>: the same key through the light path, <c>app.UseApiKeys(o =&gt; o.RequireByDefault = true)</c>
/// (the sample's <c>apikey</c> mode).</item>
/// <item><c>LightScoped</c>: the light path, the endpoint requiring a scope the key has.</item>
/// </list>
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*ApiKeyPipelineBenchmarks*';
/// CPU and bytes per request: dotnet Sightline.Benchmarks.dll loop ApiKeyPipelineBenchmarks.ApiKey 1000000.
/// </summary>
[MemoryDiagnoser]
public class ApiKeyPipelineBenchmarks
{
    private App _bare = null!;
    private App _noop = null!;
    private App _apiKey = null!;
    private App _light = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = App.Start(Mode.Bare);
        _noop = App.Start(Mode.Noop);
        _apiKey = App.Start(Mode.ApiKey);
        _light = App.Start(Mode.Light);
        foreach (var (app, path) in new[] { (_bare, "/bench/ok"), (_noop, "/bench/ok"), (_apiKey, "/bench/ok"), (_apiKey, "/bench/scoped"), (_light, "/bench/ok"), (_light, "/bench/scoped") })
        {
            var status = app.Send(path).GetAwaiter().GetResult();
            if (status != 200) throw new InvalidOperationException($"{path}: {status}");
        }
        foreach (var app in new[] { _apiKey, _light })
        {
            if (app.Send("/bench/ok", key: "").GetAwaiter().GetResult() != 401) throw new InvalidOperationException("a request without a key was not refused");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var app in new[] { _bare, _noop, _apiKey, _light }) app?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "app, no authentication (bare)")]
    public Task Bare() => _bare.Send("/bench/ok");

    [Benchmark(Description = "app, no-op scheme + fallback policy (framework cost)")]
    public Task NoopScheme() => _noop.Send("/bench/ok");

    [Benchmark(Description = "app behind AddApiKey (cached valid key)")]
    public Task ApiKey() => _apiKey.Send("/bench/ok");

    [Benchmark(Description = "app behind AddApiKey, endpoint requires a scope")]
    public Task ApiKeyScoped() => _apiKey.Send("/bench/scoped");

    [Benchmark(Description = "app behind the light path, UseApiKeys (cached valid key)")]
    public Task Light() => _light.Send("/bench/ok");

    [Benchmark(Description = "app behind the light path, endpoint requires a scope")]
    public Task LightScoped() => _light.Send("/bench/scoped");

    private enum Mode
    {
        Bare,
        Noop,
        ApiKey,
        Light,
    }

    private sealed class App : IDisposable
    {
        private readonly WebApplication _app;
        private readonly DirectServer _server;
        private readonly string _key;

        private App(WebApplication app, DirectServer server, string key)
        {
            _app = app;
            _server = server;
            _key = key;
        }

        public static App Start(Mode mode)
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var server = new DirectServer();
            builder.Services.AddSingleton<IServer>(server);
            builder.Services.AddRouting();
            builder.Services.AddControllers();
            if (mode == Mode.Noop)
            {
                builder.Services.AddAuthentication("Noop").AddScheme<AuthenticationSchemeOptions, NoopHandler>("Noop", null);
                builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            }
            if (mode == Mode.ApiKey)
            {
                builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey();
                builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            }
            if (mode == Mode.Light) builder.Services.AddAuthentication().AddApiKey();
            var app = builder.Build();
            if (mode == Mode.Light)
            {
                app.UseApiKeys(o => o.RequireByDefault = true);
            }
            else if (mode != Mode.Bare)
            {
                app.UseAuthentication();
                app.UseAuthorization();
            }
            app.MapPost("/bench/ok", static (HttpContext context) =>
            {
                context.Response.StatusCode = 200;
                return Task.CompletedTask;
            });
            var scoped = app.MapPost("/bench/scoped", static (HttpContext context) =>
            {
                context.Response.StatusCode = 200;
                return Task.CompletedTask;
            });
            if (mode is Mode.ApiKey or Mode.Light) scoped.RequireScope("orders:write");
            app.StartAsync().GetAwaiter().GetResult();
            var key = mode is Mode.ApiKey or Mode.Light
                ? app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Name = "bench", ConsumerId = "c1", Scopes = ["orders:read", "orders:write"] }).GetAwaiter().GetResult().Key
                : "";
            return new App(app, server, key);
        }

        public async Task<int> Send(string path, string? key = null)
        {
            var request = new HttpRequestFeature { Method = HttpMethods.Post, Path = path, Protocol = "HTTP/1.1", Scheme = "http" };
            request.Headers.Host = "127.0.0.1";
            request.Headers.ContentType = "application/json";
            request.Headers.Authorization = "Bearer bench-token";
            request.Headers[ApiKeyDefaults.HeaderName] = key ?? _key;
            var response = new HttpResponseFeature();
            var features = new FeatureCollection();
            features.Set<IHttpRequestFeature>(request);
            features.Set<IHttpResponseFeature>(response);
            features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
            features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { RemoteIpAddress = IPAddress.Loopback, LocalIpAddress = IPAddress.Loopback });
            await _server.Process(features);
            return response.StatusCode;
        }

        public void Dispose()
        {
            _app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)_app).Dispose();
        }
    }

    /// <summary>Hands requests to the application directly, as Kestrel does once a request is parsed.</summary>
    private sealed class DirectServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Func<IFeatureCollection, Task> Process { get; private set; } = null!;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
        {
            Process = async features =>
            {
                var context = application.CreateContext(features);
                try
                {
                    await application.ProcessRequestAsync(context);
                    application.DisposeContext(context, null);
                }
                catch (Exception e)
                {
                    application.DisposeContext(context, e);
                    throw;
                }
            };
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    /// <summary>Authenticates every request with one prebuilt ticket: what the framework costs around a handler that does nothing.</summary>
    private sealed class NoopHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        private static readonly AuthenticateResult s_result = AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "noop")], "Noop")), "Noop"));

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(s_result);
    }
}
