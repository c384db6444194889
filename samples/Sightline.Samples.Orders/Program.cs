using Sightline.Samples.Orders;

// dotnet run --project samples/Sightline.Samples.Orders -- [--urls http://127.0.0.1:5090] [--mode full|records|metrics|bare|apikey|apikey-handler]
// Sightline:ApiKey and Sightline:Endpoint come from configuration (e.g. Sightline__ApiKey=...).
var url = GetArg(args, "--urls") ?? "http://127.0.0.1:5090";
var mode = GetArg(args, "--mode") ?? "full";
var app = OrdersApp.Build(args, url, mode: mode);
app.Run();

static string? GetArg(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
