using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Tests.Alerts;

public sealed class MonitoringOptionsTests
{
    [Theory]
    [InlineData("--Sightline:Monitoring:EvaluationInterval=00:00:00", "Sightline:Monitoring:EvaluationInterval")]
    [InlineData("--Sightline:Monitoring:DeliveryMaxAttempts=0", "Sightline:Monitoring:DeliveryMaxAttempts")]
    [InlineData("--Sightline:Monitoring:Smtp:Port=70000", "Sightline:Monitoring:Smtp:Port")]
    [InlineData("--Sightline:Monitoring:DashboardUrl=sightline.local", "Sightline:Monitoring:DashboardUrl")]
    public async Task Start_InvalidMonitoringOption_FailsNamingTheOption(string argument, string option)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sightline-monitoring-options", Guid.NewGuid().ToString("n"));
        var (app, _) = SightlineServer.Build(["--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={dir}", "--Sightline:Server:AdminPassword=x", argument],
            b => b.Logging.ClearProviders());
        await using (app)
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains(option, e.Message, StringComparison.Ordinal);
        }
        Directory.Delete(dir, true);
    }
}
