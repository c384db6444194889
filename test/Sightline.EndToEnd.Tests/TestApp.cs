using Sightline.AspNetCore;
using Sightline.Protocol.Wire;

namespace Sightline.EndToEnd.Tests;

/// <summary>
/// A small app of the test's own, instrumented with the real SDK, whose endpoints put
/// attacker-chosen text into every captured field (path, headers, bodies, consumer, error message)
/// and which refuses requests with a wrong API key the way Sightline.ApiKeys reports it to the SDK.
/// </summary>
internal static class TestApp
{
    public const string GoodKey = "good-key";

    public static WebApplication Build(string url, Action<SightlineOptions> configure)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Services.AddSightline(o =>
        {
            o.ServiceName = "evil-api";
            o.Environment = "staging";
            configure(o);
        });
        var app = builder.Build();
        app.UseSightline();
        app.Use(static (context, next) =>
        {
            if (context.Request.Headers.TryGetValue("X-Customer", out var customer) && customer.Count > 0)
                context.SetSightlineConsumer(customer.ToString(), name: "Name " + customer, group: "Group " + customer);
            if (context.Request.Path.StartsWithSegments("/secure"))
            {
                var presented = context.Request.Headers["X-Api-Key"].ToString();
                if (presented != GoodKey)
                {
                    var reason = presented.Length == 0 ? "missing" : presented.StartsWith("sk_", StringComparison.Ordinal) ? "unknown" : "malformed";
                    context.Features.Set<ISightlineRequestHints>(new Hints(new SecurityEvent
                    {
                        Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Reason = reason,
                        KeyPrefix = presented.Length > 0 ? presented[..Math.Min(8, presented.Length)] : null,
                        ClientIp = context.Connection.RemoteIpAddress?.ToString(), Method = context.Request.Method, Path = context.Request.Path,
                    }));
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }
            }
            return next(context);
        });
        app.MapGet("/items/{name}", (string name) => Results.Json(new { name }));
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        app.MapGet("/boom", IResult (string m) => throw new InvalidOperationException(m));
        app.MapGet("/secure/data", () => Results.Json(new { ok = true }));
        return app;
    }

    private sealed class Hints(SecurityEvent securityEvent) : ISightlineRequestHints
    {
        public ConsumerInfo? Consumer => null;

        public SecurityEvent? SecurityEvent => securityEvent;
    }
}
