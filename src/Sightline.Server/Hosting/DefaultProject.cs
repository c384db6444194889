namespace Sightline.Server.Hosting;

/// <summary>The project this server shows (a single default project in this version).</summary>
public sealed record DefaultProject(long Id, string Name);
