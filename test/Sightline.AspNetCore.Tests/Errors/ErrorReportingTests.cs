using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Errors;

/// <summary>Handled errors reported through the HttpContext, the injectable reporter and the static entry point.</summary>
public sealed class ErrorReportingTests
{
    private static void Map(WebApplication app)
    {
        app.MapGet("/several", async (HttpContext context, OrderImporter importer) =>
        {
            context.ReportError(new TimeoutException("first: through the HttpContext"));
            importer.Import();                                    // no HttpContext in that class
            await Task.Yield();
            await Task.Run(() => LegacyHelper.Fail("third: static, on another thread"));
            context.ReportError(new FormatException("fourth"));
            return "done";
        });
        app.MapGet("/unsampled", (HttpContext context, ISightlineErrorReporter reporter) =>
        {
            reporter.Report(new InvalidOperationException("not recorded"));
            return "ok";
        });
    }

    private static void Services(IServiceCollection services) => services.AddSingleton<OrderImporter>();

    [Fact]
    public async Task ReportError_SeveralWaysInOneRequest_AllKeptInOrder()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, Map, Services);

        await app.Client.GetStringAsync("/several");

        var record = await collector.WaitForRecordAsync(r => r.Path == "/several");
        Assert.Equal(["first: through the HttpContext", "second: injected reporter", "third: static, on another thread", "fourth"], record.Errors!.Select(e => e.Message));
        Assert.All(record.Errors!, e => Assert.True(e.Handled));
        Assert.All(record.Errors!, e => Assert.Equal("reported", e.Source));
        Assert.Equal("System.IO.InvalidDataException", record.Errors![1].Type);
        Assert.Equal(200, record.Status);
        Assert.DoesNotContain(collector.Records, r => r.Method == "ERROR"); // nothing went out on its own
    }

    [Fact]
    public async Task Reporter_OutsideAnyRequest_StandaloneErrorRecord()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, Map, Services);

        app.App.Services.GetRequiredService<ISightlineErrorReporter>().Report(Thrown(new InvalidDataException("nightly import failed")));

        var record = await collector.WaitForRecordAsync(r => r.Errors?.Any(e => e.Message == "nightly import failed") == true);
        Assert.Equal("ERROR", record.Method);
        Assert.Equal("(no request)", record.RouteTemplate);
        Assert.Equal(WireConstants.DirectionIncoming, record.Direction);
        Assert.Null(record.ParentId);
        Assert.NotEqual(Guid.Empty, record.Id);
        var error = Assert.Single(record.Errors!);
        Assert.True(error.Handled);
        Assert.NotNull(error.Fingerprint);
        Assert.Contains(nameof(Thrown), error.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reporter_NoRecordedRequest_SampledAtSampleRate()
    {
        // SampleRate 0: an error reported inside an unsampled request (the SDK keeps no per-request state for
        // those) or outside any request is sampled like a request, so neither is sent. Everything the app
        // would send has arrived once the shutdown heartbeat has (the shipper drains its queue on shutdown).
        await using var collector = await Collector.StartAsync();
        var app = await SdkApp.StartAsync(collector.Address, o => o.SampleRate = 0, Map, Services);
        await app.Client.GetStringAsync("/unsampled");
        app.App.Services.GetRequiredService<ISightlineErrorReporter>().Report(new InvalidOperationException("outside, not recorded"));
        await app.DisposeAsync();

        await collector.WaitUntilAsync(() => collector.Batches.Any(b => b.Heartbeats.Any(h => h.Kind == "shutdown")));
        Assert.DoesNotContain(collector.Records, r => r.Errors is not null);

        // SampleRate 1 (the default): the same reports outside any request are sent, as standalone records.
        await using var sampled = await SdkApp.StartAsync(collector.Address, null, Map, Services);
        sampled.App.Services.GetRequiredService<ISightlineErrorReporter>().Report(new InvalidOperationException("outside, recorded"));
        var record = await collector.WaitForRecordAsync(r => r.Errors?.Any(e => e.Message == "outside, recorded") == true);
        Assert.Equal("ERROR", record.Method); // a standalone error record
    }

    [Fact]
    public async Task Reporter_InsideExcludedRequest_NothingSent()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, o => o.ExcludePaths = ["/unsampled"], Map, Services);

        await app.Client.GetStringAsync("/unsampled");
        app.App.Services.GetRequiredService<ISightlineErrorReporter>().Report(new InvalidOperationException("marker after"));

        await collector.WaitForRecordAsync(r => r.Errors?.Any(e => e.Message == "marker after") == true);
        Assert.DoesNotContain(collector.Records, r => r.Errors?.Any(e => e.Message == "not recorded") == true);
    }

    internal static Exception Thrown(Exception e)
    {
        try
        {
            throw e;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }
}

/// <summary>A service without access to the HttpContext that reports what it handles.</summary>
public sealed class OrderImporter(ISightlineErrorReporter reporter)
{
    public void Import()
    {
        try
        {
            throw new InvalidDataException("second: injected reporter");
        }
        catch (InvalidDataException e)
        {
            reporter.Report(e);
        }
    }
}

internal static class LegacyHelper
{
    public static void Fail(string message) => SightlineErrors.Report(new ArgumentException(message));
}

/// <summary>Runs alone: the static entry point outside a request goes to the most recently started app.</summary>
[CollectionDefinition(nameof(StaticReportingCollection), DisableParallelization = true)]
public sealed class StaticReportingCollection;

[Collection(nameof(StaticReportingCollection))]
public sealed class StaticErrorReportingTests
{
    [Fact]
    public async Task StaticReport_OutsideAnyRequest_GoesToTheRunningApp()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, _ => { });
        await collector.WaitUntilAsync(() => collector.Batches.Any(b => b.Heartbeats.Count > 0)); // started

        SightlineErrors.Report(ErrorReportingTests.Thrown(new TimeoutException("cache warm-up timed out")));

        var record = await collector.WaitForRecordAsync(r => r.Errors?.Any(e => e.Message == "cache warm-up timed out") == true);
        Assert.Equal("(no request)", record.RouteTemplate);
        Assert.Equal("reported", Assert.Single(record.Errors!).Source);
    }
}
