namespace Sightline.ApiKeys.Tests.Storage;

public sealed class InMemoryApiKeyStoreTests : ApiKeyStoreContract
{
    protected override async Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<ApiKeyRecord> seed)
    {
        var store = new InMemoryApiKeyStore();
        foreach (var record in seed) await store.CreateAsync(record);
        return store;
    }
}
