namespace Sightline.Server.Demo;

/// <summary>
/// The --demo traffic generator: several consumers calling the sample app's endpoints, with
/// errors, slow calls, validation failures, 404 scans and outgoing calls. Runs until stopped.
/// </summary>
internal sealed class DemoTraffic(Uri sampleApp, ILogger logger)
{
    private static readonly string[] s_customers = ["ent-acme", "ent-globex", "self-ann", "self-bob", "self-cho"];

    public async Task RunAsync(CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = sampleApp, Timeout = TimeSpan.FromSeconds(10) };
        var random = new Random(7);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var request = Next(random);
                request.Headers.Add("X-Customer", s_customers[random.Next(s_customers.Length)]);
                using var response = await client.SendAsync(request, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
            }
            catch (HttpRequestException e)
            {
                logger.LogDebug(e, "demo request failed");
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(random.Next(20, 120), ct).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    private static HttpRequestMessage Next(Random random)
    {
        var roll = random.Next(100);
        return roll switch
        {
            < 30 => new HttpRequestMessage(HttpMethod.Get, $"/users/{random.Next(1, 1100)}?token=demo-secret&page={random.Next(5)}"),
            < 45 => Json(HttpMethod.Post, "/orders", $$$"""{"customer":{"name":"Ann","email":"ann@example.com"},"items":[{"sku":"SKU-{{{random.Next(9)}}}","quantity":{{{random.Next(1, 4)}}},"price":19.99,"secret":"s-{{{random.Next()}}}"}],"payment":{"method":"card","cardNumber":"4111111111111111"}}"""),
            < 50 => Json(HttpMethod.Post, "/orders", """{"customer":{"name":"Bob","email":"bob@example.com"},"items":[]}"""),
            < 60 => new HttpRequestMessage(HttpMethod.Get, "/orders"),
            < 66 => new HttpRequestMessage(HttpMethod.Get, $"/reports/slow?ms={random.Next(150, 900)}"),
            < 72 => new HttpRequestMessage(HttpMethod.Get, "/checkout/fail"),
            < 80 => new HttpRequestMessage(HttpMethod.Get, "/partner/quote"),
            < 85 => new HttpRequestMessage(HttpMethod.Get, "/files/invoice.pdf"),
            < 88 => new HttpRequestMessage(HttpMethod.Get, "/stream/ticks?count=3"),
            < 94 => new HttpRequestMessage(HttpMethod.Get, "/api/catalog"),
            < 97 => Json(HttpMethod.Post, "/api/catalog", """{"sku":"","price":-1}"""),
            _ => new HttpRequestMessage(HttpMethod.Get, $"/.env.{random.Next(1000)}"),
        };
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, string body)
        => new(method, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
}
