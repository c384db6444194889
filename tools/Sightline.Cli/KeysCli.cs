using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Sightline.ApiKeys;

namespace Sightline.Cli;

/// <summary>
/// <c>sightline keys create|list|get|rotate|revoke|update</c> over the SQLite, PostgreSQL or configuration store.
/// Peppers come from the same configuration the app reads (<c>Sightline:ApiKeys:Peppers</c>): environment variables
/// (<c>Sightline__ApiKeys__Peppers__1</c>) and, with <c>--config</c>, a JSON file such as appsettings.json.
/// Exit codes: 0 done, 1 error or not found, 2 bad usage (unknown option, missing argument).
/// </summary>
public static class KeysCli
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Printed to a terminal or piped to a tool, never embedded in HTML: keep '+' in base64 readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        var store = new Option<string>("--store") { Description = "Where keys live: sqlite, postgres or config.", Recursive = true, DefaultValueFactory = _ => "sqlite" };
        store.AcceptOnlyFromAmong("sqlite", "postgres", "config");
        var connection = new Option<string?>("--connection", "-c") { Description = "Connection string of the sqlite/postgres store (default: $SIGHTLINE_APIKEYS_CONNECTION).", Recursive = true };
        var table = new Option<string>("--table") { Description = "Table name.", Recursive = true, DefaultValueFactory = _ => "sightline_api_keys" };
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (e.g. appsettings.json) with Sightline:ApiKeys (peppers, configuration keys).", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print JSON.", Recursive = true };

        var id = new Argument<string>("id") { Description = "The key id (the part after the prefix, or the whole display prefix)." };
        var name = new Option<string>("--name", "-n") { Description = "A name for the key.", Required = true };
        var newName = new Option<string?>("--name", "-n") { Description = "A new name." };
        var prefix = new Option<string?>("--prefix") { Description = "Key prefix (default sl_live), e.g. sl_test or sl_ingest." };
        var consumerId = new Option<string?>("--consumer-id") { Description = "Owner/consumer identifier (customer, project…)." };
        var consumerName = new Option<string?>("--consumer-name") { Description = "Consumer display name." };
        var consumerGroup = new Option<string?>("--consumer-group") { Description = "Consumer group (tier, tenant)." };
        var scopes = new Option<string[]>("--scope", "-s") { Description = "A scope to grant (repeatable).", AllowMultipleArgumentsPerToken = false };
        var networks = new Option<string[]>("--network") { Description = "An allowed network in CIDR, IPv4 or IPv6 (repeatable)." };
        var expires = new Option<string?>("--expires") { Description = "Expiry: a time (2027-01-31T00:00:00Z) or a duration from now (90d)." };
        var noExpiry = new Option<bool>("--no-expiry") { Description = "Remove the expiry." };
        var rateLimit = new Option<string?>("--rate-limit") { Description = "Rate limit <requests>/<window>, e.g. 100/1m." };
        var noRateLimit = new Option<bool>("--no-rate-limit") { Description = "Remove the rate limit." };
        var grace = new Option<string>("--grace") { Description = "How long the old key keeps working after rotation (e.g. 24h, 0s).", DefaultValueFactory = _ => "24h" };

        var create = new Command("create", "Issue a key. The full key is printed once; only its hash is stored.")
        {
            name, prefix, consumerId, consumerName, consumerGroup, scopes, networks, expires, rateLimit,
        };
        var list = new Command("list", "List keys (revoked included).") { consumerId };
        var get = new Command("get", "Show one key.") { id };
        var rotate = new Command("rotate", "Issue a replacement key; the old one keeps working for the grace period.") { id, grace };
        var revoke = new Command("revoke", "Revoke a key for good.") { id };
        var update = new Command("update", "Change a key's name, scopes, networks, expiry or rate limit.") { id, newName, scopes, networks, expires, noExpiry, rateLimit, noRateLimit };
        var keys = new Command("keys", "Manage API keys.") { create, list, get, rotate, revoke, update };
        var root = new RootCommand("Sightline: API monitoring and API-key security for ASP.NET Core.") { keys };
        foreach (var command in ServerCli.Create(output, error, time)) root.Subcommands.Add(command);
        keys.Options.Add(store);
        keys.Options.Add(connection);
        keys.Options.Add(table);
        keys.Options.Add(config);
        keys.Options.Add(json);

        Func<ParseResult, Func<Context, Task<int>>, Task<int>> run = async (result, body) =>
        {
            try
            {
                var configuration = StoreFactory.Configuration(result.GetValue(config));
                var kind = result.GetValue(store)!;
                var connectionString = result.GetValue(connection) ?? Environment.GetEnvironmentVariable("SIGHTLINE_APIKEYS_CONNECTION");
                var keyStore = StoreFactory.Open(kind, connectionString, result.GetValue(table)!, configuration);
                try
                {
                    var hasher = StoreFactory.Hasher(configuration);
                    var manager = new ApiKeyManager(keyStore, hasher, timeProvider: time);
                    return await body(new Context(kind, keyStore, manager, hasher, result.GetValue(json), output, error, time)).ConfigureAwait(false);
                }
                finally
                {
                    if (keyStore is IAsyncDisposable disposable) await disposable.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is CliException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
            {
                await error.WriteLineAsync("error: " + e.Message.Split(" (Parameter")[0]).ConfigureAwait(false);
                return 1;
            }
        };

        create.SetAction((result, _) => run(result, async ctx =>
        {
            var request = new ApiKeyCreateRequest
            {
                Name = result.GetValue(name)!,
                Prefix = result.GetValue(prefix),
                ConsumerId = result.GetValue(consumerId),
                ConsumerName = result.GetValue(consumerName),
                ConsumerGroup = result.GetValue(consumerGroup),
                Scopes = result.GetValue(scopes) ?? [],
                AllowedNetworks = result.GetValue(networks) ?? [],
                ExpiresAt = result.GetValue(expires) is { } e ? CliValues.Time(e, ctx.Time.GetUtcNow()) : null,
                RateLimit = result.GetValue(rateLimit) is { } r ? CliValues.RateLimit(r) : null,
            };
            if (ctx.Kind == "config") return await CreateForConfigurationAsync(ctx, request).ConfigureAwait(false);
            var created = await ctx.Manager.CreateAsync(request).ConfigureAwait(false);
            if (ctx.Json) await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(KeyView.From(created.Record, created.Key), Json)).ConfigureAwait(false);
            else
            {
                await ctx.Output.WriteLineAsync(created.Key).ConfigureAwait(false);
                await ctx.Error.WriteLineAsync($"Created {created.Record.DisplayPrefix} ('{created.Record.Name}'). Store the key now: it is not shown again.").ConfigureAwait(false);
            }
            return 0;
        }));

        list.SetAction((result, _) => run(result, async ctx =>
        {
            var all = await ctx.Manager.ListAsync(result.GetValue(consumerId)).ConfigureAwait(false);
            if (ctx.Json)
            {
                await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(all.Select(k => KeyView.From(k)).ToList(), Json)).ConfigureAwait(false);
                return 0;
            }
            await ctx.Output.WriteLineAsync($"{"KEY",-34} {"NAME",-24} {"CONSUMER",-20} {"STATUS",-9} {"EXPIRES",-20} LAST USED").ConfigureAwait(false);
            foreach (var k in all)
            {
                await ctx.Output.WriteLineAsync($"{k.DisplayPrefix,-34} {Cut(k.Name, 24),-24} {Cut(k.ConsumerId ?? "-", 20),-20} {Status(k, ctx.Time),-9} {Format(k.ExpiresAt),-20} {Format(k.LastUsedAt)}").ConfigureAwait(false);
            }
            return 0;
        }));

        get.SetAction((result, _) => run(result, async ctx =>
        {
            var record = await ctx.Manager.GetAsync(IdOf(result.GetValue(id)!)).ConfigureAwait(false);
            if (record is null) return await NotFoundAsync(ctx, result.GetValue(id)!).ConfigureAwait(false);
            await PrintAsync(ctx, record).ConfigureAwait(false);
            return 0;
        }));

        rotate.SetAction((result, _) => run(result, async ctx =>
        {
            var created = await ctx.Manager.RotateAsync(IdOf(result.GetValue(id)!), CliValues.Duration(result.GetValue(grace)!)).ConfigureAwait(false);
            if (created is null) return await NotFoundAsync(ctx, result.GetValue(id)!, "or it is revoked or expired").ConfigureAwait(false);
            if (ctx.Json) await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(KeyView.From(created.Record, created.Key), Json)).ConfigureAwait(false);
            else
            {
                await ctx.Output.WriteLineAsync(created.Key).ConfigureAwait(false);
                var old = await ctx.Manager.GetAsync(IdOf(result.GetValue(id)!)).ConfigureAwait(false);
                await ctx.Error.WriteLineAsync($"Created {created.Record.DisplayPrefix}; {old!.DisplayPrefix} keeps working until {Format(old.ExpiresAt)}.").ConfigureAwait(false);
            }
            return 0;
        }));

        revoke.SetAction((result, _) => run(result, async ctx =>
        {
            var keyId = IdOf(result.GetValue(id)!);
            if (!await ctx.Manager.RevokeAsync(keyId).ConfigureAwait(false)) return await NotFoundAsync(ctx, result.GetValue(id)!).ConfigureAwait(false);
            var record = (await ctx.Manager.GetAsync(keyId).ConfigureAwait(false))!;
            if (ctx.Json) await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(KeyView.From(record), Json)).ConfigureAwait(false);
            else await ctx.Output.WriteLineAsync($"Revoked {record.DisplayPrefix}. Instances stop accepting it within their cache duration (30 s by default).").ConfigureAwait(false);
            return 0;
        }));

        update.SetAction((result, _) => run(result, async ctx =>
        {
            var change = new ApiKeyUpdate
            {
                Name = result.GetValue(newName),
                Scopes = result.GetResult(scopes) is null ? null : result.GetValue(scopes) ?? [],
                AllowedNetworks = result.GetResult(networks) is null ? null : result.GetValue(networks) ?? [],
                ExpiresAt = result.GetValue(expires) is { } e ? CliValues.Time(e, ctx.Time.GetUtcNow()) : null,
                ClearExpiry = result.GetValue(noExpiry),
                RateLimit = result.GetValue(rateLimit) is { } r ? CliValues.RateLimit(r) : null,
                ClearRateLimit = result.GetValue(noRateLimit),
            };
            var record = await ctx.Manager.UpdateAsync(IdOf(result.GetValue(id)!), change).ConfigureAwait(false);
            if (record is null) return await NotFoundAsync(ctx, result.GetValue(id)!).ConfigureAwait(false);
            await PrintAsync(ctx, record).ConfigureAwait(false);
            return 0;
        }));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not null && args.Length > 0 && !args.Contains("--help") && !args.Contains("-h") && !args.Contains("-?"))
        {
            foreach (var parseError in parsed.Errors) await error.WriteLineAsync("error: " + parseError.Message).ConfigureAwait(false);
            await error.WriteLineAsync($"See 'sightline {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2))} --help'.").ConfigureAwait(false);
            return 2;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    private static async Task<int> CreateForConfigurationAsync(Context ctx, ApiKeyCreateRequest request)
    {
        // The configuration store is read-only: issue into memory and print the entry to paste into configuration.
        var created = await new ApiKeyManager(new InMemoryApiKeyStore(), ctx.Hasher, timeProvider: ctx.Time).CreateAsync(request).ConfigureAwait(false);
        var r = created.Record;
        var entry = new Dictionary<string, object?>
        {
            ["Id"] = r.Id,
            ["Prefix"] = r.Prefix,
            ["Hash"] = Convert.ToBase64String(r.Hash),
            ["PepperVersion"] = r.PepperVersion,
            ["Name"] = r.Name,
            ["ConsumerId"] = r.ConsumerId,
            ["ConsumerName"] = r.ConsumerName,
            ["ConsumerGroup"] = r.ConsumerGroup,
            ["Scopes"] = r.Scopes,
            ["AllowedNetworks"] = r.AllowedNetworks,
            ["CreatedAt"] = r.CreatedAt,
            ["ExpiresAt"] = r.ExpiresAt,
            ["RateLimit"] = r.RateLimit is null ? null : new Dictionary<string, object> { ["PermitLimit"] = r.RateLimit.PermitLimit, ["Window"] = r.RateLimit.Window.ToString("c", CultureInfo.InvariantCulture) },
        };
        var options = new JsonSerializerOptions(Json) { DictionaryKeyPolicy = null, PropertyNamingPolicy = null };
        if (ctx.Json)
        {
            await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["key"] = created.Key, ["configurationEntry"] = entry }, options)).ConfigureAwait(false);
        }
        else
        {
            await ctx.Output.WriteLineAsync(created.Key).ConfigureAwait(false);
            await ctx.Error.WriteLineAsync("Add this entry to the Sightline:ApiKeys:Keys array of your configuration (the key above is not stored anywhere):").ConfigureAwait(false);
            await ctx.Error.WriteLineAsync(JsonSerializer.Serialize(entry, options)).ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task PrintAsync(Context ctx, ApiKeyRecord k)
    {
        if (ctx.Json)
        {
            await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(KeyView.From(k), Json)).ConfigureAwait(false);
            return;
        }
        var lines = new[]
        {
            $"key:        {k.DisplayPrefix}",
            $"name:       {k.Name}",
            $"status:     {Status(k, ctx.Time)}",
            $"consumer:   {k.ConsumerId ?? "-"} {(k.ConsumerName is null ? "" : "(" + k.ConsumerName + ")")} {k.ConsumerGroup}".TrimEnd(),
            $"scopes:     {(k.Scopes.Length == 0 ? "-" : string.Join(' ', k.Scopes))}",
            $"networks:   {(k.AllowedNetworks.Length == 0 ? "any" : string.Join(' ', k.AllowedNetworks))}",
            $"rate limit: {(k.RateLimit is null ? "none" : $"{k.RateLimit.PermitLimit} per {k.RateLimit.Window}")}",
            $"created:    {Format(k.CreatedAt)}",
            $"expires:    {Format(k.ExpiresAt)}",
            $"last used:  {Format(k.LastUsedAt)}",
            $"revoked:    {Format(k.RevokedAt)}",
        };
        foreach (var line in lines) await ctx.Output.WriteLineAsync(line).ConfigureAwait(false);
        if (k.ReplacedBy is not null) await ctx.Output.WriteLineAsync($"replaced by: {k.Prefix}_{k.ReplacedBy}").ConfigureAwait(false);
    }

    private static async Task<int> NotFoundAsync(Context ctx, string id, string? extra = null)
    {
        await ctx.Error.WriteLineAsync($"error: no key '{id}'" + (extra is null ? "." : $" ({extra}).")).ConfigureAwait(false);
        return 1;
    }

    /// <summary>Accepts the bare id or the display prefix (<c>sl_live_&lt;id&gt;</c>).</summary>
    private static string IdOf(string text) => text.Length > ApiKeyFormat.IdLength && text[^(ApiKeyFormat.IdLength + 1)] == '_' ? text[^ApiKeyFormat.IdLength..] : text;

    private static string Status(ApiKeyRecord k, TimeProvider time) =>
        k.IsRevoked ? "revoked" : k.ExpiresAt <= time.GetUtcNow() ? "expired" : "active";

    private static string Format(DateTimeOffset? time) => time?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private sealed record Context(string Kind, IApiKeyStore Store, ApiKeyManager Manager, ApiKeyHasher Hasher, bool Json, TextWriter Output, TextWriter Error, TimeProvider Time);
}
