using Microsoft.AspNetCore.DataProtection;
using Sightline.Server.Dashboard;
using Sightline.Server.Ingest;
using Sightline.Server.Monitoring;
using Sightline.Server.Query;
using Sightline.Server.Security;
using Sightline.Server.Storage;

namespace Sightline.Server.Hosting;

/// <summary>Builds the Sightline server application.</summary>
public static class SightlineServer
{
    /// <summary>What first-run set-up created (printed once by <c>Program</c>).</summary>
    public sealed record FirstRun(string? IngestKey, string? AdminPassword);

    /// <summary>
    /// Builds the server: binds <see cref="ServerOptions"/>, opens the store (SQLite or PostgreSQL), ensures the
    /// default project, an ingest key (issued by <see cref="IngestKeyService"/>; printed once, when the project is
    /// created) and the admin user.
    /// </summary>
    public static (WebApplication App, FirstRun FirstRun) Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.SectionName));
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();
        builder.WebHost.UseUrls(options.Urls);

        var hasher = IngestKeyService.CreateHasher(options);
        var store = StoreFactory.Create(options);
        var (projectId, created) = store.EnsureProject("default");
        // Start-up is synchronous here (before the host runs), so waiting on the key store is safe.
        var ingestKeys = IngestKeyService.OpenAsync(store, hasher: hasher).GetAwaiter().GetResult();
        var ingestKey = created ? ingestKeys.CreateAsync(projectId, "default").GetAwaiter().GetResult().Key : null;
        var adminPassword = options.AdminPassword ?? Security.PasswordHasher.NewPassword();
        var adminCreated = store.EnsureUser(options.AdminUser, adminPassword);

        builder.Services.AddSingleton<ISightlineStore>(store);
        builder.Services.AddSingleton(ingestKeys);
        builder.Services.AddHostedService<IngestKeyLastUsedWriter>();
        builder.Services.AddSingleton(new DefaultProject(projectId, "default"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<RetentionService>();
        builder.AddSightlineMonitoring(options);
        builder.Services.AddProblemDetails();
        builder.Services.AddSightlineAuth();
        StoreFactory.PersistKeys(builder.Services.AddDataProtection().SetApplicationName("Sightline"), store, options);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Sightline.Protocol.Wire.WireJsonContext.Default));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (ISightlineStore s) => s.IsReady() ? Results.Text("ready") : Results.Problem(statusCode: 503, title: "Storage unavailable"));
        IngestEndpoint.Map(app);
        QueryEndpoints.Map(app);
        DashboardQueryEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        MonitoringApiEndpoints.Map(app);
        UptimeEndpoints.Map(app);
        AlertEndpoints.Map(app);
        app.Lifetime.ApplicationStopped.Register(store.Dispose);
        return (app, new FirstRun(ingestKey, adminCreated && options.AdminPassword is null ? adminPassword : null));
    }
}
