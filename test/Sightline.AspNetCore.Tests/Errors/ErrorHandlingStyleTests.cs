using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sightline.AspNetCore.Tests.Errors;

/// <summary>Exceptions through each of the framework's error-handling styles: the app's response is unchanged and the error is recorded.</summary>
public sealed class ErrorHandlingStyleTests
{
    private static void Throwing(WebApplication app)
        => app.MapGet("/fail/{id}", string (string id) => throw new InvalidOperationException("order " + id + " is locked"));

    /// <summary>The same app without Sightline, to compare responses with.</summary>
    private static async Task<(WebApplication App, HttpClient Client)> StartBareAsync(Action<IServiceCollection>? services, Action<WebApplication> pipeline)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        services?.Invoke(builder.Services);
        var app = builder.Build();
        pipeline(app);
        Throwing(app);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, new HttpClient { BaseAddress = address });
    }

    /// <summary>The problem's <c>traceId</c> differs per request by design; everything else must be the same.</summary>
    private static string WithoutTraceId(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        Assert.True(node.Remove("traceId"));
        return node.ToJsonString();
    }

    [Fact]
    public async Task DeveloperExceptionPage_PageUnchangedAndErrorRecorded()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, Throwing, beforeSightline: a => a.UseDeveloperExceptionPage());
        var (bare, bareClient) = await StartBareAsync(null, a => a.UseDeveloperExceptionPage());
        await using var _ = bare;
        using var __ = bareClient;

        app.Client.DefaultRequestHeaders.Accept.ParseAdd("text/html"); // as a browser asks
        bareClient.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var observed = await app.Client.GetAsync("/fail/7");
        var plain = await bareClient.GetAsync("/fail/7");

        Assert.Equal(HttpStatusCode.InternalServerError, observed.StatusCode);
        Assert.Equal(plain.StatusCode, observed.StatusCode);
        Assert.Equal(plain.Content.Headers.ContentType?.MediaType, observed.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/html", observed.Content.Headers.ContentType?.MediaType);
        var page = await observed.Content.ReadAsStringAsync();
        Assert.Contains("order 7 is locked", page, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", page, StringComparison.Ordinal);
        var record = await collector.WaitForRecordAsync(r => r.Path == "/fail/7");
        Assert.Equal(500, record.Status);
        var error = Assert.Single(record.Errors!);
        Assert.Equal("System.InvalidOperationException", error.Type);
        Assert.Equal("order 7 is locked", error.Message);
        Assert.False(error.Handled);
        Assert.Equal("unhandled", error.Source);
        Assert.Contains("ErrorHandlingStyleTests", error.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExceptionHandlerWithProblemDetails_OutsideSightline_ProblemUnchangedAndErrorRecorded()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, Throwing,
            services => services.AddProblemDetails(), beforeSightline: a => a.UseExceptionHandler());
        var (bare, bareClient) = await StartBareAsync(s => s.AddProblemDetails(), a => a.UseExceptionHandler());
        await using var _ = bare;
        using var __ = bareClient;

        var observed = await app.Client.GetAsync("/fail/8");
        var plain = await bareClient.GetAsync("/fail/8");

        Assert.Equal(HttpStatusCode.InternalServerError, observed.StatusCode);
        Assert.Equal("application/problem+json", observed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(WithoutTraceId(await plain.Content.ReadAsStringAsync()), WithoutTraceId(await observed.Content.ReadAsStringAsync()));
        var record = await collector.WaitForRecordAsync(r => r.Path == "/fail/8");
        Assert.Equal(500, record.Status);
        var error = Assert.Single(record.Errors!);
        Assert.Equal("order 8 is locked", error.Message);
        Assert.Equal("unhandled", error.Source);
        Assert.False(error.Handled);
    }

    [Fact]
    public async Task ExceptionHandlerWithProblemDetails_InsideSightline_ProblemCapturedAndErrorRecordedOnce()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, a =>
        {
            a.UseExceptionHandler();
            Throwing(a);
        }, services => services.AddProblemDetails());

        var observed = await app.Client.GetAsync("/fail/9");

        Assert.Equal(HttpStatusCode.InternalServerError, observed.StatusCode);
        using var problem = JsonDocument.Parse(await observed.Content.ReadAsStringAsync());
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        var record = await collector.WaitForRecordAsync(r => r.Path == "/fail/9");
        Assert.Equal(500, record.Status);
        Assert.Equal("application/problem+json", record.ResponseBody!.ContentType);
        Assert.Contains("\"status\":500", record.ResponseBody.Content, StringComparison.Ordinal);
        // The handler caught it before Sightline could see it escape; its own error log attaches it (once).
        var error = Assert.Single(record.Errors!);
        Assert.Equal("order 9 is locked", error.Message);
        Assert.Equal("logged", error.Source);
    }
}
