using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Sightline.ApiKeys.Tests.Storage;

public sealed class ConfigurationApiKeyStoreTests : ApiKeyStoreContract
{
    protected override bool Writable => false;

    protected override Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<ApiKeyRecord> seed)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ToConfiguration(seed)).Build();
        return Task.FromResult<IApiKeyStore>(new ConfigurationApiKeyStore(configuration));
    }

    internal static Dictionary<string, string?> ToConfiguration(IReadOnlyList<ApiKeyRecord> seed)
    {
        var values = new Dictionary<string, string?>();
        for (var i = 0; i < seed.Count; i++)
        {
            var r = seed[i];
            var p = $"{ConfigurationApiKeyStore.DefaultSection}:{i}:";
            values[p + "Id"] = r.Id;
            values[p + "Prefix"] = r.Prefix;
            values[p + "Hash"] = Convert.ToBase64String(r.Hash);
            values[p + "PepperVersion"] = r.PepperVersion.ToString(CultureInfo.InvariantCulture);
            values[p + "Name"] = r.Name;
            values[p + "ConsumerId"] = r.ConsumerId;
            values[p + "ConsumerName"] = r.ConsumerName;
            values[p + "ConsumerGroup"] = r.ConsumerGroup;
            for (var s = 0; s < r.Scopes.Length; s++) values[p + "Scopes:" + s] = r.Scopes[s];
            for (var n = 0; n < r.AllowedNetworks.Length; n++) values[p + "AllowedNetworks:" + n] = r.AllowedNetworks[n];
            values[p + "CreatedAt"] = r.CreatedAt.ToString("O", CultureInfo.InvariantCulture);
            values[p + "ExpiresAt"] = r.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture);
            values[p + "RevokedAt"] = r.RevokedAt?.ToString("O", CultureInfo.InvariantCulture);
            values[p + "ReplacedBy"] = r.ReplacedBy;
            if (r.RateLimit is { } limit)
            {
                values[p + "RateLimit:PermitLimit"] = limit.PermitLimit.ToString(CultureInfo.InvariantCulture);
                values[p + "RateLimit:Window"] = limit.Window.ToString("c", CultureInfo.InvariantCulture);
            }
        }
        return values;
    }

    [Theory]
    [InlineData("Hash", "not base64!", "Hash is not base64")]
    [InlineData("Hash", "AAAA", "must be 32 bytes")]
    [InlineData("Id", "", "Id is missing")]
    [InlineData("AllowedNetworks:0", "10.0.0.1/8", "did you mean 10.0.0.0/8")]
    [InlineData("ExpiresAt", "tomorrow", "ExpiresAt is not a date-time")]
    [InlineData("RateLimit:Window", "soon", "Window is missing or not a time span")]
    public void Constructor_InvalidEntry_ThrowsNamingIt(string field, string value, string expected)
    {
        var values = ToConfiguration([Record("CONFIG000001")]);
        values[$"{ConfigurationApiKeyStore.DefaultSection}:0:{field}"] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationApiKeyStore(configuration));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Sightline:ApiKeys:Keys:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_ConfigurationChanged_NewKeysVisible()
    {
        var source = new ReloadableSource();
        var configuration = new ConfigurationBuilder().Add(source).Build();
        using var store = new ConfigurationApiKeyStore(configuration);
        Assert.Null(await store.FindAsync("RELOAD000001"));

        source.Set(ToConfiguration([Record("RELOAD000001")]));

        Assert.NotNull(await store.FindAsync("RELOAD000001"));
    }

    private sealed class ReloadableSource : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public void Set(Dictionary<string, string?> values)
        {
            Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
            OnReload();
        }
    }
}
