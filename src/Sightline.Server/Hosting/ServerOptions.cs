namespace Sightline.Server.Hosting;

/// <summary>Server settings, bound from the <c>Sightline:Server</c> configuration section (appsettings, environment variables <c>Sightline__Server__…</c>, or <c>--Sightline:Server:…=</c> flags).</summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section: <c>Sightline:Server</c>.</summary>
    public const string SectionName = "Sightline:Server";

    /// <summary>Listen URL. Default: <c>http://localhost:5080</c>.</summary>
    public string Urls { get; set; } = "http://localhost:5080";

    /// <summary>Folder of the embedded SQLite store. Default: <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Storage provider: <c>sqlite</c> (default, embedded file in <see cref="DataDirectory"/>) or <c>postgres</c> (needs <see cref="ConnectionString"/>).</summary>
    public string Storage { get; set; } = "sqlite";

    /// <summary>PostgreSQL connection string (Npgsql format); required when <see cref="Storage"/> is <c>postgres</c>, refused with <c>sqlite</c>. Several servers may share one database. Default: none.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Days raw records are kept. Default: 7.</summary>
    public int RecordRetentionDays { get; set; } = 7;

    /// <summary>Days per-minute rollups are kept. Default: 90.</summary>
    public int RollupRetentionDays { get; set; } = 90;

    /// <summary>Dashboard admin user name. Default: <c>admin</c>.</summary>
    public string AdminUser { get; set; } = "admin";

    /// <summary>Dashboard admin password used when the admin is first created; generated and printed once when unset.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>Largest ingest body accepted, after decompression. Default: 16 MiB.</summary>
    public long MaxBatchBytes { get; set; } = Sightline.Protocol.Wire.WireConstants.MaxBatchBytes;

    /// <summary>Ingest requests of this server allowed to wait for storage before it answers 429 (per server when several share PostgreSQL). Default: 32.</summary>
    public int MaxPendingWrites { get; set; } = 32;

    /// <summary>
    /// Server-side peppers for ingest keys, by version (≥ 1; each at least 16 characters, ideally 32+ random characters
    /// kept out of source control, e.g. environment variable <c>Sightline__Server__IngestKeyPeppers__1</c>). New ingest
    /// keys are stored as HMAC-SHA-256 of the key keyed by the current pepper; each key remembers its version, so keep
    /// old versions configured until every key hashed with them is rotated. Every server sharing a database and the
    /// <c>sightline</c> tool need the same peppers. Default: none — plain SHA-256 (version 0), as before peppers existed.
    /// </summary>
    public Dictionary<int, string> IngestKeyPeppers { get; set; } = [];

    /// <summary>The pepper version new ingest keys are hashed with. Default: the highest of <see cref="IngestKeyPeppers"/>, or 0 (none).</summary>
    public int? IngestKeyPepperVersion { get; set; }
}
