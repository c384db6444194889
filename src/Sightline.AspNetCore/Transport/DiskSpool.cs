using System.Globalization;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Gzip batches kept on disk while the server is unreachable: written to a temp file then renamed
/// (a crash of the app never leaves a half batch), bounded in total bytes, age and send attempts, and read
/// back oldest first — also by the next process after a restart.
/// Batches are not <c>fsync</c>ed: they are in the operating system's hands once written, so they
/// survive the app's restarts and crashes, but the last seconds of them may be lost to a power cut
/// or a kernel crash (a torn file is then refused by the server and deleted). An <c>fsync</c> per batch
/// blocked the shipper on the disk for every batch of a long outage, which cost the app more than
/// sending the same batch did while the server was up.
/// File name: <c>{utcTicks}-{guid}.{attempts}.batch</c>.
/// The total size is tracked in memory between directory scans (a scan per write cost more than
/// the write while a long outage keeps the spool full): the folder is rescanned when the total
/// goes over <c>maxBytes</c> (then the oldest batches are dropped down to 90% of it, so the next
/// writes need no scan), every 64 writes (another process may share the folder) and after expiry.
/// </summary>
internal sealed class DiskSpool(string? directory, long maxBytes, TimeSpan maxAge, int maxAttempts, TimeProvider time)
{
    private const int RescanEvery = 64;
    private readonly Lock _gate = new();
    private long _bytes = -1; // known total; -1 = unknown
    private int _writesSinceScan;

    public bool Enabled => !string.IsNullOrEmpty(directory) && maxBytes > 0;

    public string? Directory => directory;

    /// <summary>Stores a batch; returns the number of older batches dropped to stay within bounds.</summary>
    public int Write(ReadOnlySpan<byte> gzipBatch, out bool stored)
    {
        stored = false;
        if (!Enabled || gzipBatch.Length > maxBytes) return 0;
        lock (_gate)
        {
            System.IO.Directory.CreateDirectory(directory!);
            var name = $"{time.GetUtcNow().UtcTicks:D19}-{Guid.NewGuid():n}.0.batch";
            var temp = Path.Combine(directory!, name + ".tmp");
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(gzipBatch);
            }
            File.Move(temp, Path.Combine(directory!, name));
            stored = true;
            if (_bytes < 0 || ++_writesSinceScan >= RescanEvery) return Trim();
            _bytes += gzipBatch.Length;
            return _bytes > maxBytes ? Trim() : 0;
        }
    }

    /// <summary>The oldest spooled batch, or null. Expired or over-attempted batches are deleted on the way (counted in <paramref name="dropped"/>).</summary>
    public SpooledBatch? Peek(out int dropped)
    {
        dropped = 0;
        if (!Enabled || !System.IO.Directory.Exists(directory)) return null;
        lock (_gate)
        {
            foreach (var path in Files())
            {
                var (ticks, attempts) = Parse(path);
                if (attempts >= maxAttempts || time.GetUtcNow().UtcTicks - ticks > maxAge.Ticks)
                {
                    TryDelete(path);
                    _bytes = -1;
                    dropped++;
                    continue;
                }
                try
                {
                    return new SpooledBatch(path, File.ReadAllBytes(path), attempts);
                }
                catch (IOException)
                {
                    TryDelete(path);
                    _bytes = -1;
                    dropped++;
                }
            }
            return null;
        }
    }

    public void Delete(SpooledBatch batch)
    {
        lock (_gate)
        {
            TryDelete(batch.Path);
            if (_bytes >= 0) _bytes = Math.Max(0, _bytes - batch.Content.Length);
        }
    }

    /// <summary>Records a failed attempt (renames the file with the new count).</summary>
    public void Failed(SpooledBatch batch)
    {
        lock (_gate)
        {
            var id = Path.GetFileName(batch.Path).Split('.')[0];
            try
            {
                File.Move(batch.Path, Path.Combine(directory!, $"{id}.{batch.Attempts + 1}.batch"));
            }
            catch (IOException)
            {
                // another process moved it; nothing to do
            }
        }
    }

    public int Count => Enabled && System.IO.Directory.Exists(directory) ? Files().Count : 0;

    private List<string> Files()
    {
        var files = new List<string>(System.IO.Directory.EnumerateFiles(directory!, "*.batch"));
        files.Sort(StringComparer.Ordinal); // name starts with zero-padded ticks: oldest first
        return files;
    }

    // Rescans the folder; when over maxBytes, drops the oldest batches down to 90% of it.
    private int Trim()
    {
        var files = Files();
        long total = 0;
        var sizes = new long[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            try
            {
                total += sizes[i] = new FileInfo(files[i]).Length;
            }
            catch (IOException)
            {
                // removed meanwhile (another process replayed it)
            }
        }
        var dropped = 0;
        if (total > maxBytes)
        {
            var target = maxBytes - (maxBytes / 10);
            for (var i = 0; i < files.Count && total > target; i++)
            {
                TryDelete(files[i]);
                total -= sizes[i];
                dropped++;
            }
        }
        _bytes = total;
        _writesSinceScan = 0;
        return dropped;
    }

    private static (long Ticks, int Attempts) Parse(string path)
    {
        var parts = Path.GetFileName(path).Split('.');
        var ticks = long.TryParse(parts[0].Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
        var attempts = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;
        return (ticks, attempts);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A batch read back from the spool.</summary>
internal sealed record SpooledBatch(string Path, byte[] Content, int Attempts);
