using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Security;
using Sightline.Server.Storage;

namespace Sightline.Cli;

/// <summary>
/// <c>sightline projects list|create</c> and <c>sightline ingest-keys create|list|rotate|revoke --project &lt;name|id&gt;</c>
/// over the Sightline server's own database, through the server's storage and <see cref="IngestKeyService"/> (no SQL
/// of its own). The database is chosen as the server chooses it: <c>Sightline__Server__…</c> environment variables
/// (<c>DataDirectory</c> default <c>data</c>, <c>Storage</c>, <c>ConnectionString</c>), overridden by
/// <c>--data-dir &lt;dir&gt;</c> (SQLite file <c>&lt;dir&gt;/sightline.db</c>) or <c>--postgres &lt;connection string&gt;</c>.
/// Ingest-key peppers come from the server's settings too (<c>Sightline__Server__IngestKeyPeppers__N</c>).
/// </summary>
internal static class ServerCli
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEnumerable<Command> Create(TextWriter output, TextWriter error, TimeProvider time)
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "The server's data directory (SQLite file sightline.db in it). Default: Sightline__Server__DataDirectory, else ./data.", Recursive = true };
        var postgres = new Option<string?>("--postgres") { Description = "The server's PostgreSQL connection string (instead of SQLite). Default: Sightline__Server__ConnectionString when Sightline__Server__Storage=postgres.", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print JSON.", Recursive = true };
        var project = new Option<string>("--project", "-p") { Description = "The project, by name or id.", Required = true, Recursive = true };
        var projectName = new Argument<string>("name") { Description = "The new project's name (1 to 100 characters)." };
        var keyName = new Option<string?>("--name", "-n") { Description = "A name for the key (default: ingest key)." };
        var id = new Argument<string>("id") { Description = "The key id, or its display prefix sl_ingest_<id>." };
        var grace = new Option<string>("--grace") { Description = "How long the old key keeps working after rotation (e.g. 24h, 0s).", DefaultValueFactory = _ => "24h" };

        var projectsList = new Command("list", "List projects.");
        var projectsCreate = new Command("create", "Create a project (then issue it an ingest key with 'sightline ingest-keys create').") { projectName };
        var projects = new Command("projects", "Manage the Sightline server's projects.") { projectsList, projectsCreate };
        projects.Options.Add(dataDir);
        projects.Options.Add(postgres);
        projects.Options.Add(json);

        var keysCreate = new Command("create", "Issue an ingest key. The full key is printed once; only its hash is stored.") { keyName };
        var keysList = new Command("list", "List a project's ingest keys (revoked, expired and legacy ones included).");
        var keysRotate = new Command("rotate", "Issue a replacement key; the old one keeps working for the grace period.") { id, grace };
        var keysRevoke = new Command("revoke", "Revoke an ingest key for good.") { id };
        var ingestKeys = new Command("ingest-keys", "Manage a Sightline server project's ingest keys.") { keysCreate, keysList, keysRotate, keysRevoke };
        ingestKeys.Options.Add(dataDir);
        ingestKeys.Options.Add(postgres);
        ingestKeys.Options.Add(json);
        ingestKeys.Options.Add(project);

        Func<ParseResult, Func<Context, Task<int>>, Task<int>> run = async (result, body) =>
        {
            try
            {
                var (opened, hasher) = OpenStore(result.GetValue(dataDir), result.GetValue(postgres));
                using var store = opened;
                var keys = await IngestKeyService.OpenAsync(store, timeProvider: time, hasher: hasher).ConfigureAwait(false);
                return await body(new Context(store, keys, result.GetValue(json), output, error, time)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CliException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
            {
                await error.WriteLineAsync("error: " + e.Message.Split(" (Parameter")[0]).ConfigureAwait(false);
                return 1;
            }
        };

        projectsList.SetAction((result, _) => run(result, async ctx =>
        {
            var all = ctx.Store.GetProjects();
            if (ctx.Json)
            {
                await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(all, Json)).ConfigureAwait(false);
                return 0;
            }
            await ctx.Output.WriteLineAsync($"{"ID",-6} {"NAME",-32} {"CREATED",-20} ENVIRONMENTS").ConfigureAwait(false);
            foreach (var p in all)
                await ctx.Output.WriteLineAsync($"{p.Id,-6} {p.Name,-32} {Format(p.Created),-20} {(p.Environments.Count == 0 ? "-" : string.Join(' ', p.Environments))}").ConfigureAwait(false);
            return 0;
        }));

        projectsCreate.SetAction((result, _) => run(result, async ctx =>
        {
            var name = result.GetValue(projectName)!.Trim();
            if (name.Length is 0 or > 100) throw new CliException("a project name is 1 to 100 characters.");
            var (projectId, created) = ctx.Store.EnsureProject(name);
            if (!created) throw new CliException($"project '{name}' already exists (id {projectId}).");
            var row = ctx.Store.GetProjects().First(p => p.Id == projectId);
            if (ctx.Json) await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(row, Json)).ConfigureAwait(false);
            else await ctx.Output.WriteLineAsync($"Created project '{row.Name}' (id {row.Id}). Issue its ingest key with: sightline ingest-keys create --project {row.Name}").ConfigureAwait(false);
            return 0;
        }));

        keysCreate.SetAction((result, _) => run(result, async ctx =>
        {
            var p = ResolveProject(ctx, result.GetValue(project)!);
            var created = await ctx.Keys.CreateAsync(p.Id, result.GetValue(keyName)).ConfigureAwait(false);
            await PrintCreatedAsync(ctx, p, created, $"Created {created.Row.Prefix} for project '{p.Name}'. Store the key now: it is not shown again.").ConfigureAwait(false);
            return 0;
        }));

        keysList.SetAction((result, _) => run(result, async ctx =>
        {
            var p = ResolveProject(ctx, result.GetValue(project)!);
            var rows = await ctx.Keys.ListAsync(p.Id).ConfigureAwait(false);
            if (ctx.Json)
            {
                await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => IngestKeyView.From(p, r)).ToList(), Json)).ConfigureAwait(false);
                return 0;
            }
            await ctx.Output.WriteLineAsync($"{"KEY",-24} {"NAME",-28} {"STATE",-9} {"CREATED",-20} {"EXPIRES",-20} {"LAST USED",-20} FORMAT").ConfigureAwait(false);
            foreach (var r in rows)
                await ctx.Output.WriteLineAsync($"{r.Prefix,-24} {Cut(r.Name, 28),-28} {r.State,-9} {Format(r.Created),-20} {Format(r.Expires),-20} {Format(r.LastUsed),-20} {(r.Legacy ? "legacy" : "current")}").ConfigureAwait(false);
            return 0;
        }));

        keysRotate.SetAction((result, _) => run(result, async ctx =>
        {
            var p = ResolveProject(ctx, result.GetValue(project)!);
            var keyId = IdOf(result.GetValue(id)!);
            var gracePeriod = CliValues.Duration(result.GetValue(grace)!);
            var created = await ctx.Keys.RotateAsync(p.Id, keyId, gracePeriod).ConfigureAwait(false);
            if (created is null) throw new CliException($"project '{p.Name}' has no usable ingest key '{result.GetValue(id)}' (unknown, revoked or expired).");
            await PrintCreatedAsync(ctx, p, created, $"Created {created.Row.Prefix}; {IngestKeyService.Prefix}_{keyId} keeps working until {Format(ctx.Time.GetUtcNow() + gracePeriod)}.").ConfigureAwait(false);
            return 0;
        }));

        keysRevoke.SetAction((result, _) => run(result, async ctx =>
        {
            var p = ResolveProject(ctx, result.GetValue(project)!);
            var keyId = IdOf(result.GetValue(id)!);
            if (!await ctx.Keys.RevokeAsync(p.Id, keyId).ConfigureAwait(false))
                throw new CliException($"project '{p.Name}' has no ingest key '{result.GetValue(id)}' that is not already revoked.");
            var row = (await ctx.Keys.ListAsync(p.Id).ConfigureAwait(false)).First(r => r.KeyId == keyId);
            if (ctx.Json) await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(IngestKeyView.From(p, row), Json)).ConfigureAwait(false);
            else await ctx.Output.WriteLineAsync($"Revoked {row.Prefix}. Running servers refuse it within {IngestKeyService.DefaultCacheDuration.TotalSeconds:0} s (their key cache).").ConfigureAwait(false);
            return 0;
        }));

        return [projects, ingestKeys];
    }

    /// <summary>Opens the server's store the way the server does (<see cref="Sightline.Server.Storage.StoreFactory"/>), but never creates a missing SQLite file.</summary>
    private static (ISightlineStore Store, Sightline.ApiKeys.ApiKeyHasher Hasher) OpenStore(string? dataDir, string? postgres)
    {
        if (dataDir is not null && postgres is not null) throw new CliException("--data-dir (SQLite) and --postgres exclude each other: give one.");
        var options = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();
        if (postgres is not null)
        {
            options.Storage = "postgres";
            options.ConnectionString = postgres;
        }
        else if (dataDir is not null)
        {
            options.Storage = "sqlite";
            options.ConnectionString = null;
            options.DataDirectory = dataDir;
        }
        if (options.Storage?.Trim().Equals("sqlite", StringComparison.OrdinalIgnoreCase) == true && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var file = Path.Combine(options.DataDirectory, "sightline.db");
            if (!File.Exists(file))
                throw new CliException($"there is no Sightline database at '{Path.GetFullPath(file)}': start the server once, or pass --data-dir <the server's data directory> or --postgres <connection string>.");
        }
        // The server's ingest-key peppers (Sightline__Server__IngestKeyPeppers__N), so keys issued here verify there.
        var hasher = IngestKeyService.CreateHasher(options);
        return (Sightline.Server.Storage.StoreFactory.Create(options), hasher);
    }

    private static ProjectRow ResolveProject(Context ctx, string text)
    {
        var all = ctx.Store.GetProjects();
        var byName = all.FirstOrDefault(p => p.Name == text);
        if (byName is not null) return byName;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var projectId) && all.FirstOrDefault(p => p.Id == projectId) is { } byId) return byId;
        throw new CliException($"--project: no project '{text}' (by name or id); see 'sightline projects list'.");
    }

    private static async Task PrintCreatedAsync(Context ctx, ProjectRow p, IngestKeyCreated created, string message)
    {
        if (ctx.Json)
        {
            await ctx.Output.WriteLineAsync(JsonSerializer.Serialize(IngestKeyView.From(p, created.Row, created.Key), Json)).ConfigureAwait(false);
            return;
        }
        await ctx.Output.WriteLineAsync(created.Key).ConfigureAwait(false);
        await ctx.Error.WriteLineAsync(message).ConfigureAwait(false);
    }

    /// <summary>Accepts the bare id or the display prefix (<c>sl_ingest_&lt;id&gt;</c>).</summary>
    private static string IdOf(string text)
    {
        text = text.Trim();
        return text.StartsWith(IngestKeyService.Prefix + "_", StringComparison.Ordinal) ? text[(IngestKeyService.Prefix.Length + 1)..] : text;
    }

    private static string Format(DateTimeOffset? time) => time?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private sealed record Context(ISightlineStore Store, IngestKeyService Keys, bool Json, TextWriter Output, TextWriter Error, TimeProvider Time);
}

/// <summary>What the tool prints about an ingest key (never its hash). <see cref="Key"/> only right after create/rotate.</summary>
internal sealed record IngestKeyView(
    string Id, string DisplayPrefix, string Name, long ProjectId, string Project, string State, bool Revoked, bool Legacy,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, string? ReplacedBy, string? Key)
{
    public static IngestKeyView From(ProjectRow project, IngestKeyRow r, string? key = null) => new(
        r.KeyId, r.Prefix, r.Name, project.Id, project.Name, r.State, r.Revoked, r.Legacy, r.Created, r.Expires, r.LastUsed, r.ReplacedBy, key);
}
