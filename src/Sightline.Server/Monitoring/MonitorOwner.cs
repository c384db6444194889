namespace Sightline.Server.Monitoring;

/// <summary>This server process's identity in database leases (host, process id and a random part).</summary>
internal sealed record MonitorOwner(string Id)
{
    public static MonitorOwner Create() => new($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():n}");
}
