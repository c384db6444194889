using System.Globalization;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Gzip batches kept on disk while the server is unreachable: written to a temp file then renamed
/// (a crash never leaves a half batch), bounded in total bytes, age and send attempts, and read
/// back oldest first — also by the next process after a restart.
/// File name: <c>{utcTicks}-{guid}.{attempts}.batch</c>.
/// </summary>
internal sealed class DiskSpool(string? directory, long maxBytes, TimeSpan maxAge, int maxAttempts, TimeProvider time)
{
    private readonly Lock _gate = new();

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
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, Path.Combine(directory!, name));
            stored = true;
            return Trim();
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
                    dropped++;
                }
            }
            return null;
        }
    }

    public void Delete(SpooledBatch batch)
    {
        lock (_gate) TryDelete(batch.Path);
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

    private int Trim()
    {
        var files = Files();
        long total = 0;
        var sizes = new long[files.Count];
        for (var i = 0; i < files.Count; i++) total += sizes[i] = new FileInfo(files[i]).Length;
        var dropped = 0;
        for (var i = 0; i < files.Count && total > maxBytes; i++)
        {
            TryDelete(files[i]);
            total -= sizes[i];
            dropped++;
        }
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
