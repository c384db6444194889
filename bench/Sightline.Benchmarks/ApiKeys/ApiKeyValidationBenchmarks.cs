using System.Net;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sightline.ApiKeys;
using Sightline.ApiKeys.Internal;

namespace Sightline.Benchmarks.ApiKeys;

/// <summary>
/// Key validation (issue 5 targets): a cached valid key (≤ 2 µs, ≤ 1 allocation), a key with a bad checksum
/// (&lt; 200 ns, rejected before any lookup), an unknown key (cached as unknown, and first sight with a store lookup),
/// against the irreducible cost of one HMAC-SHA-256 of the key (baseline). Also the whole authentication handler
/// on a DefaultHttpContext (principal and ticket included).
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*ApiKeyValidationBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ApiKeyValidationBenchmarks
{
    private static readonly IPAddress s_client = IPAddress.Parse("10.1.2.3");
    private readonly ApiKeyFormat _format = ApiKeyFormat.Default;
    private readonly TimeSpan _cacheDuration = TimeSpan.FromHours(1);
    private ApiKeyValidator _validator = null!;
    private ApiKeyCache _cache = null!;
    private byte[] _pepper = null!;
    private string _validKey = null!;
    private string _badChecksumKey = null!;
    private string _unknownKey = null!;
    private string _unknownId = null!;
    private IServiceProvider _services = null!;
    private byte[] _unpepperedHash = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new ApiKeyOptions { Peppers = { [1] = "benchmark-pepper-0123456789abcdef" } };
        _pepper = Encoding.UTF8.GetBytes(options.Peppers[1]);
        var store = new InMemoryApiKeyStore();
        var hasher = new ApiKeyHasher(options);
        _cache = new ApiKeyCache(Options.Create(options));
        _validator = new ApiKeyValidator(store, hasher, _cache, TimeProvider.System);
        var manager = new ApiKeyManager(store, hasher, _format, TimeProvider.System, _cache);
        _validKey = manager.CreateAsync(new ApiKeyCreateRequest { Name = "bench", ConsumerId = "customer-1", Scopes = ["orders:read"], AllowedNetworks = ["10.0.0.0/8"] }).GetAwaiter().GetResult().Key;
        _badChecksumKey = _validKey[..^1] + (_validKey[^1] == 'A' ? 'B' : 'A');
        _unpepperedHash = ApiKeyHasher.Unpeppered.Hash(_validKey);
        _unknownKey = _format.Generate();
        _format.TryParse(_unknownKey, out var unknownId);
        _unknownId = unknownId.ToString();
        Check(CachedValidKey(), null);
        Check(InvalidChecksum(), ApiKeyFailureReasons.Malformed);
        Check(UnknownKeyCached(), ApiKeyFailureReasons.Invalid);

        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.None));
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddSingleton<IApiKeyStore>(store);
        services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.CacheDuration = _cacheDuration);
        services.Configure<ApiKeyOptions>(o => o.Peppers[1] = options.Peppers[1]);
        _services = services.BuildServiceProvider();
        if (!HandlerAuthenticateCachedKey().GetAwaiter().GetResult()) throw new InvalidOperationException("handler did not authenticate");
    }

    private static void Check(bool succeeded, string? reason)
    {
        if (succeeded != (reason is null)) throw new InvalidOperationException("unexpected result " + reason);
    }

    [Benchmark(Baseline = true, Description = "HMACSHA256.HashData of the key, one-shot (baseline)")]
    public byte HmacOnly()
    {
        Span<byte> bytes = stackalloc byte[64];
        var n = Encoding.ASCII.GetBytes(_validKey, bytes);
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_pepper, bytes[..n], hash);
        return hash[0];
    }

    [Benchmark(Description = "SHA256.HashData of the key, one-shot (unpeppered keys before issue 5)")]
    public byte Sha256OneShot()
    {
        Span<byte> bytes = stackalloc byte[64];
        var n = Encoding.ASCII.GetBytes(_validKey, bytes);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..n], hash);
        return hash[0];
    }

    private static readonly ThreadLocal<IncrementalHash> s_sha256 = new(static () => IncrementalHash.CreateHash(HashAlgorithmName.SHA256));

    [Benchmark(Description = "SHA-256 of the key, reused per-thread IncrementalHash (unpeppered keys now)")]
    public byte Sha256Reused()
    {
        Span<byte> bytes = stackalloc byte[64];
        var n = Encoding.ASCII.GetBytes(_validKey, bytes);
        Span<byte> hash = stackalloc byte[32];
        var sha256 = s_sha256.Value!;
        sha256.AppendData(bytes[..n]);
        sha256.TryGetHashAndReset(hash, out _);
        return hash[0];
    }

    [Benchmark(Description = "unpeppered hash + constant-time compare (ApiKeyHasher.Unpeppered.Verify)")]
    public bool UnpepperedVerify() => ApiKeyHasher.Unpeppered.Verify(_validKey, _unpepperedHash, 0);

    [Benchmark(Description = "cached valid key")]
    public bool CachedValidKey() => _validator.ValidateAsync(_validKey, _format, s_client, _cacheDuration, CancellationToken.None).Result.Succeeded;

    [Benchmark(Description = "invalid checksum")]
    public bool InvalidChecksum() => _validator.ValidateAsync(_badChecksumKey, _format, s_client, _cacheDuration, CancellationToken.None).Result.Succeeded;

    [Benchmark(Description = "unknown key (cached as unknown)")]
    public bool UnknownKeyCached() => _validator.ValidateAsync(_unknownKey, _format, s_client, _cacheDuration, CancellationToken.None).Result.Succeeded;

    [Benchmark(Description = "unknown key (first sight: store lookup)")]
    public bool UnknownKeyFirstSight()
    {
        _cache.Invalidate(_unknownId);
        return _validator.ValidateAsync(_unknownKey, _format, s_client, _cacheDuration, CancellationToken.None).GetAwaiter().GetResult().Succeeded;
    }

    [Benchmark(Description = "handler: authenticate cached key (new request scope, principal + ticket)")]
    public async Task<bool> HandlerAuthenticateCachedKey()
    {
        // Like a real request: a fresh context and request scope (the handler caches its result per request).
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Connection.RemoteIpAddress = s_client;
        context.Request.Headers[ApiKeyDefaults.HeaderName] = _validKey;
        return (await context.AuthenticateAsync()).Succeeded;
    }
}
