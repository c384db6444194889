using System.Diagnostics.Metrics;

namespace Sightline.ApiKeys.Internal;

/// <summary>Counters of meter <c>Sightline.ApiKeys</c>.</summary>
internal sealed class ApiKeyMetrics
{
    public const string MeterName = "Sightline.ApiKeys";

    private readonly Counter<long> _authenticated;
    private readonly Counter<long> _refused;

    public ApiKeyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _authenticated = meter.CreateCounter<long>("sightline.apikeys.authenticated", unit: "{request}", description: "Requests authenticated by an API key.");
        _refused = meter.CreateCounter<long>("sightline.apikeys.refused", unit: "{request}", description: "Requests refused by API-key authentication, rate limiting or scope checks, by reason.");
    }

    public void Authenticated() => _authenticated.Add(1);

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
