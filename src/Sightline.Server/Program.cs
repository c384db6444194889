using Sightline.Samples.Orders;
using Sightline.Server.Demo;
using Sightline.Server.Hosting;

// dotnet run --project src/Sightline.Server [-- --demo] [--Sightline:Server:Urls=http://localhost:5080] [--Sightline:Server:DataDirectory=./data]
var demo = args.Contains("--demo");
var serverArgs = args.Where(a => a != "--demo").ToArray();
var (app, firstRun) = SightlineServer.Build(serverArgs);
var options = app.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();

if (firstRun.IngestKey is not null)
{
    Console.WriteLine("Sightline: created the default project. Its ingest key (shown once, store it now):");
    Console.WriteLine($"  {firstRun.IngestKey}");
}
if (firstRun.AdminPassword is not null)
    Console.WriteLine($"Sightline: sign in at {options.Urls} as '{options.AdminUser}' with password '{firstRun.AdminPassword}' (shown once; set Sightline:Server:AdminPassword to choose it).");

if (!demo)
{
    app.Run();
    return;
}

// --demo: the sample app, instrumented with the SDK, on another loopback port, plus traffic.
await app.StartAsync();
var project = app.Services.GetRequiredService<DefaultProject>();
var demoKey = (await app.Services.GetRequiredService<Sightline.Server.Security.IngestKeyService>().CreateAsync(project.Id, "demo")).Key;
var serverUrl = app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
const string sampleUrl = "http://127.0.0.1:5090";
var sample = OrdersApp.Build([], sampleUrl, o =>
{
    o.ApiKey = demoKey;
    o.Endpoint = new Uri(serverUrl);
    o.MetricsInterval = TimeSpan.FromSeconds(10);
    o.Environment = "demo";
});
await sample.StartAsync();
Console.WriteLine($"Sightline demo: sample app on {sampleUrl} sends to {serverUrl}; open {options.Urls} to watch it. Ctrl+C stops.");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
app.Lifetime.ApplicationStopping.Register(stop.Cancel);
var traffic = new DemoTraffic(new Uri(sampleUrl), app.Logger);
await traffic.RunAsync(stop.Token);
await sample.StopAsync();
await app.StopAsync();
