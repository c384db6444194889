// CPU time per ingest-key validation (IngestKeyService over SQLite): as shipped (30 s cache) vs a store lookup per
// request (cache 0 s, what the old code path did), on one thread. Run: dotnet run -c Release bench/scripts/ingest-key-validation.cs
#:project ../../src/Sightline.Server/Sightline.Server.csproj
using System.Diagnostics;
using Sightline.Server.Security;
using Sightline.Server.Storage;

var dir = Path.Combine(Path.GetTempPath(), "ikbench-" + Guid.NewGuid().ToString("n"));
using var store = new SqliteStore(Path.Combine(dir, "sightline.db"));
var project = store.EnsureProject("default").Id;
foreach (var (label, cache) in new[] { ("lookup per request (cache 0 s, like the old code path)", TimeSpan.Zero), ("cached (30 s, as shipped)", TimeSpan.FromSeconds(30)) })
{
    var keys = await IngestKeyService.OpenAsync(store, cache);
    var key = (await keys.CreateAsync(project)).Key;
    var bad = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
    for (var i = 0; i < 2000; i++) await keys.ValidateAsync(key, null);
    const int n = 50_000;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < n; i++) if (await keys.ValidateAsync(key, null) != project) throw new Exception("refused");
    var valid = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n;
    cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < n; i++) if (await keys.ValidateAsync(bad, null) is not null) throw new Exception("accepted");
    var malformed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / n;
    Console.WriteLine($"{label}: valid key {valid:0.00} µs CPU, bad checksum {malformed:0.00} µs CPU per validation");
}
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(dir, true);
