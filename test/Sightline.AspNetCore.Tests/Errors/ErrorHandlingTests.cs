using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sightline.AspNetCore.Tests.Errors;

public sealed class ErrorHandlingTests
{
    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/throw", IResult () => throw new AggregateException("many", new InvalidOperationException("a"), new TimeoutException("b")));
        app.MapPost("/orders", (OrderInput input) => string.IsNullOrEmpty(input.Sku)
            ? Results.ValidationProblem(new Dictionary<string, string[]> { ["sku"] = ["The sku is required."], ["quantity"] = ["Must be at least 1."] })
            : Results.Ok());
        app.MapGet("/logged", (ILoggerFactory loggers) =>
        {
            loggers.CreateLogger("Orders").LogError(new InvalidDataException("bad row 7"), "Import failed");
            return "partial";
        });
        app.MapControllers();
    }

    [Fact]
    public async Task LoggedException_AttachedToRequestOnce()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, MapEndpoints, services => services.AddControllers().AddApplicationPart(typeof(ProductsController).Assembly));

        await app.Client.GetStringAsync("/logged");

        var record = await collector.WaitForRecordAsync(r => r.Path == "/logged");
        var error = Assert.Single(record.Errors!);
        Assert.Equal("logged", error.Source);
        Assert.Equal("bad row 7", error.Message);
        Assert.True(error.Handled);
    }

    [Fact]
    public async Task NoHandler_ExceptionEscapes_500AndAggregateInnersRecorded()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, MapEndpoints, services => services.AddControllers().AddApplicationPart(typeof(ProductsController).Assembly));

        var response = await app.Client.GetAsync("/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var record = await collector.WaitForRecordAsync(r => r.Path == "/throw");
        Assert.Equal(500, record.Status);
        var error = Assert.Single(record.Errors!);
        Assert.Equal("System.AggregateException", error.Type);
        Assert.Equal(["System.InvalidOperationException", "System.TimeoutException"], error.Inner!.Select(i => i.Type));
    }

    [Fact]
    public async Task ExceptionHandlerInsidePipeline_StatusFromHandlerAndErrorKept()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, a =>
        {
            a.UseExceptionHandler(b => b.Run(c =>
            {
                c.Response.StatusCode = 503;
                return c.Response.WriteAsync("handled by the app");
            }));
            MapEndpoints(a);
        }, services => services.AddControllers().AddApplicationPart(typeof(ProductsController).Assembly));

        var response = await app.Client.GetAsync("/throw");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("handled by the app", await response.Content.ReadAsStringAsync());
        var record = await collector.WaitForRecordAsync(r => r.Path == "/throw");
        Assert.Equal(503, record.Status);
    }

    [Fact]
    public async Task ValidationProblem_MinimalApiAndController_FieldsRecorded()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, MapEndpoints, services => services.AddControllers().AddApplicationPart(typeof(ProductsController).Assembly));

        var minimal = await app.Client.PostAsync("/orders", new StringContent("{\"sku\":\"\",\"quantity\":0}", System.Text.Encoding.UTF8, "application/json"));
        var controller = await app.Client.PostAsync("/api/products", new StringContent("{\"price\":-5}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, minimal.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, controller.StatusCode);
        var r1 = await collector.WaitForRecordAsync(r => r.Path == "/orders");
        Assert.Equal(["sku", "quantity"], r1.ValidationErrors!.Select(v => v.Field));
        Assert.Equal("The sku is required.", r1.ValidationErrors![0].Messages.Single());
        var r2 = await collector.WaitForRecordAsync(r => r.Path == "/api/products");
        Assert.Contains(r2.ValidationErrors!, v => v.Field == "Sku");
        Assert.Contains(r2.ValidationErrors!, v => v.Field == "Price");
    }
}

public sealed record OrderInput(string? Sku, int Quantity);

[ApiController]
[Route("api/products")]
public sealed class ProductsController : ControllerBase
{
    [HttpPost]
    public IActionResult Create(ProductInput input) => Ok(input);
}

public sealed record ProductInput([Required] string? Sku, [Range(0.01, 1000)] decimal Price);
