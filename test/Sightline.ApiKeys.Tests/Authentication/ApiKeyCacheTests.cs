using Microsoft.Extensions.Options;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys.Tests.Authentication;

public sealed class ApiKeyCacheTests
{
    [Fact]
    public async Task Validate_ManyUnknownIds_CacheStaysWithinMaxCachedKeys()
    {
        var options = Options.Create(new ApiKeyOptions { MaxCachedKeys = 10 });
        var cache = new ApiKeyCache(options);
        var validator = new ApiKeyValidator(new InMemoryApiKeyStore(), ApiKeyHasher.Unpeppered, cache, TimeProvider.System);

        for (var i = 0; i < 35; i++)
        {
            var check = await validator.ValidateAsync(ApiKeyFormat.Default.Generate(), ApiKeyFormat.Default, null, TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.Equal(ApiKeyFailureReasons.Invalid, check.Reason);
            Assert.InRange(cache.Count, 1, 10);
        }
    }

    [Fact]
    public async Task Validate_SameUnknownId_LookedUpOncePerTtl()
    {
        var store = new CountingStore(new InMemoryApiKeyStore());
        var validator = new ApiKeyValidator(store, ApiKeyHasher.Unpeppered, new ApiKeyCache(Options.Create(new ApiKeyOptions())), TimeProvider.System);
        var key = ApiKeyFormat.Default.Generate();

        for (var i = 0; i < 5; i++) await validator.ValidateAsync(key, ApiKeyFormat.Default, null, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(1, store.Finds);
    }
}
