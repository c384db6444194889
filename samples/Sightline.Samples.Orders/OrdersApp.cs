using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Sightline.ApiKeys;
using Sightline.AspNetCore;

namespace Sightline.Samples.Orders;

/// <summary>
/// A realistic sample API instrumented with every SDK feature: users, orders, a file download, a
/// streaming endpoint, one that throws, one that calls out over HttpClient, minimal APIs and a
/// controller, consumers identified per request. Used by the server's --demo and the load benchmark.
/// </summary>
public static class OrdersApp
{
    /// <summary>Builds the app listening on <paramref name="url"/>. <paramref name="mode"/>: full (default), records, metrics, off (SDK registered but disabled), bare, apikey (bare, every endpoint behind the light API-key path, <c>UseApiKeys</c>, with keys from configuration), apikey-handler (the same behind the framework's authentication and authorization with the <c>AddApiKey</c> handler and a fallback policy).</summary>
    public static WebApplication Build(string[] args, string url, Action<SightlineOptions>? configure = null, string mode = "full")
    {
        if (Environment.GetEnvironmentVariable("SIGHTLINE_BENCH_ALLOCATIONS") == "1") s_allocations ??= new AllocationSampler();
        s_sdkCounters ??= new SdkCounters();
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddControllers();
        builder.Services.AddHttpClient("partner", c => c.Timeout = TimeSpan.FromSeconds(2));
        var instrumented = mode is not ("bare" or "apikey" or "apikey-handler");
        var apiKeys = mode is "apikey" or "apikey-handler";
        if (instrumented)
        {
            builder.Services.AddSightline(o =>
            {
                o.ServiceName = "orders-api";
                o.ServiceVersion = "v2.0";
                o.RedactRequestBody = ["$.payment.card_number", "$.customer.email", "$.items[*].secret"];
                o.RedactResponseBody = ["$.user.email", "$.user.addresses[*].zip", "$[*].customer.email"];
                o.RedactHeaders = ["X-Session-Token"];
                if (mode == "metrics") o.SampleRate = 0;
                if (mode == "off") o.Enabled = false;
                if (mode == "records") { o.CaptureRequestBody = false; o.CaptureResponseBody = false; }
                configure?.Invoke(o);
            });
        }
        if (apiKeys)
        {
            // Keys from configuration (Sightline:ApiKeys:Keys, as printed by `sightline keys create --store config`); every endpoint needs one.
            builder.Services.AddSingleton<IApiKeyStore>(new ConfigurationApiKeyStore(builder.Configuration));
            if (mode == "apikey-handler")
            {
                builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey();
                builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            }
            else
            {
                builder.Services.AddAuthentication().AddApiKey();
            }
        }
        var app = builder.Build();
        if (instrumented) app.UseSightline();
        if (mode == "apikey-handler")
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        else if (mode == "apikey")
        {
            // The light path: every endpoint needs a key (the equivalent of the fallback policy above).
            app.UseApiKeys(o => o.RequireByDefault = true);
        }
        app.Use(static (context, next) =>
        {
            // Demo consumers: identify the caller from a header, as an app would from its auth.
            if (context.Request.Headers.TryGetValue("X-Customer", out var customer) && customer.Count > 0)
                context.SetSightlineConsumer(customer.ToString(), name: "Customer " + customer, group: customer.ToString().StartsWith("ent", StringComparison.Ordinal) ? "Enterprise" : "Self-serve");
            return next(context);
        });
        app.MapControllers();
        MapEndpoints(app);
        return app;
    }

    private static AllocationSampler? s_allocations;
    // Started when the first app is built (a static initializer could run only at the first /bench/stats, after the load).
    private static SdkCounters? s_sdkCounters;
    private static readonly ConcurrentDictionary<int, Order> s_orders = new();
    private static int s_nextOrder = 1000;

    private static void MapEndpoints(WebApplication app)
    {
        var users = app.MapGroup("/users");
        users.MapGet("/{id:int}", (int id) => id > 1000
            ? Results.NotFound(new { error = "no such user" })
            : Results.Json(new
            {
                user = new
                {
                    id,
                    name = $"User {id}",
                    email = $"user{id}@example.com",
                    addresses = new[] { new { street = "Hauptstr. 1", city = "Berlin", zip = "10115" }, new { street = "Main St 5", city = "Boston", zip = "02108" } },
                },
            }));
        users.MapGet("/", () => Enumerable.Range(1, 20).Select(i => new { id = i, name = $"User {i}" }));

        app.MapPost("/orders", (OrderRequest request) =>
        {
            if (request.Items is null || request.Items.Count == 0)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["items"] = ["At least one item is required."] });
            var order = new Order(Interlocked.Increment(ref s_nextOrder), request.Customer, request.Items, request.Items.Sum(i => i.Price * i.Quantity), "created");
            s_orders[order.Id] = order;
            return Results.Created($"/orders/{order.Id}", order);
        });
        app.MapGet("/orders/{id:int}", (int id) => s_orders.TryGetValue(id, out var order) ? Results.Ok(order) : Results.NotFound());
        app.MapGet("/orders", () => s_orders.Values.Take(50));

        app.MapGet("/reports/slow", async (int? ms) =>
        {
            await Task.Delay(Math.Clamp(ms ?? 400, 0, 5000));
            return new { report = "quarterly", rows = 42 };
        });
        app.MapGet("/files/invoice.pdf", () => Results.File(Encoding.UTF8.GetBytes("%PDF-1.4 sample invoice"), "application/pdf", "invoice.pdf"));
        app.MapGet("/stream/ticks", async (HttpContext context, int? count) =>
        {
            context.Response.ContentType = "text/plain";
            for (var i = 0; i < Math.Clamp(count ?? 5, 1, 100); i++)
            {
                await context.Response.WriteAsync($"tick {i}\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(20);
            }
        });
        app.MapGet("/checkout/fail", IResult () => throw new InvalidOperationException("Payment provider rejected the charge", new TimeoutException("gateway timeout")));
        app.MapGet("/partner/quote", async (IHttpClientFactory factory, HttpContext context) =>
        {
            var client = factory.CreateClient("partner");
            var self = $"{context.Request.Scheme}://{context.Request.Host}";
            try
            {
                var user = await client.GetStringAsync($"{self}/users/1");
                return Results.Json(new { quote = 99.5, partnerUser = user.Length });
            }
            catch (HttpRequestException e)
            {
                context.ReportError(e);
                return Results.Problem("partner unavailable", statusCode: 502);
            }
        });
        app.MapPost("/bench/echo", (BenchBody body) => Results.Json(body));
        app.MapGet("/bench/hello", () => Results.Json(new { hello = "world" }));
        // Runtime counters for bench/load.sh (VERBOSE=1 prints their change over each measurement).
        app.MapGet("/bench/stats", () =>
        {
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            return Results.Json(new
            {
                gen0 = GC.CollectionCount(0),
                gen1 = GC.CollectionCount(1),
                gen2 = GC.CollectionCount(2),
                pauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
                allocatedBytes = GC.GetTotalAllocatedBytes(),
                heapCount = GC.GetConfigurationVariables().TryGetValue("HeapCount", out var heaps) ? heaps : null,
                heapBytes = gc.HeapSizeBytes,
                threads = ThreadPool.ThreadCount,
                workItems = ThreadPool.CompletedWorkItemCount,
                lockContentions = Monitor.LockContentionCount,
                jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
                jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount(),
                sent = s_sdkCounters?.Sent ?? 0,
                dropped = s_sdkCounters?.Dropped ?? 0,
                spooled = s_sdkCounters?.Spooled ?? 0,
                spoolDropped = s_sdkCounters?.SpoolDropped ?? 0,
                allocations = s_allocations?.Bytes.OrderByDescending(p => p.Value).Take(40).ToDictionary(p => p.Key, p => p.Value),
            });
        });
    }
}

/// <summary>An order line.</summary>
public sealed record OrderItem(string Sku, int Quantity, decimal Price, string? Secret);

/// <summary>The body of POST /orders.</summary>
public sealed record OrderRequest(CustomerInfo? Customer, List<OrderItem>? Items, PaymentInfo? Payment);

/// <summary>Who ordered.</summary>
public sealed record CustomerInfo(string Name, string Email);

/// <summary>How they paid.</summary>
public sealed record PaymentInfo(string Method, string CardNumber);

/// <summary>A stored order.</summary>
public sealed record Order(int Id, CustomerInfo? Customer, List<OrderItem> Items, decimal Total, string Status);

/// <summary>Free-form JSON for the load benchmark.</summary>
public sealed record BenchBody(string? Id, List<Dictionary<string, string>>? Items, Dictionary<string, string>? User);

/// <summary>A controller, to show that controllers are captured like minimal APIs.</summary>
[ApiController]
[Route("api/catalog")]
public sealed class CatalogController : ControllerBase
{
    /// <summary>Lists products.</summary>
    [HttpGet]
    public IActionResult List() => Ok(new[] { new { sku = "SKU-1", name = "Widget", price = 9.99m }, new { sku = "SKU-2", name = "Gadget", price = 19.99m } });

    /// <summary>Creates a product (validation errors come back as 400 ProblemDetails).</summary>
    [HttpPost]
    public IActionResult Create([FromBody] ProductRequest product) => Created($"/api/catalog/{product.Sku}", product);
}

/// <summary>A product to create.</summary>
public sealed record ProductRequest([System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.MinLength(1)] string Sku, [System.ComponentModel.DataAnnotations.Range(0.01, 10000)] decimal Price);
