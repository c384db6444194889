using BenchmarkDotNet.Running;
using Sightline.Benchmarks.Load;

// Micro-benchmarks: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*Redact*'
// Ingest sink for bench/load.sh: dotnet bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll sink <port>
if (args.Length == 2 && args[0] == "sink")
{
    await IngestSink.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    return;
}
// Server ingest over loopback: ... Sightline.Benchmarks.dll ingest <sqlite|postgres> <none|2k> [records=300000] [batch=500] [concurrency=4]
// Store query latency:         ... Sightline.Benchmarks.dll query <sqlite|postgres> [records=1000000]   (see bench/ingest.sh)
if (args.Length >= 3 && args[0] == "ingest")
{
    await Sightline.Benchmarks.Ingest.IngestLoad.RunAsync(args[1], args[2] == "2k", Arg(3, 300_000), Arg(4, 500), Arg(5, 4));
    return;
}
if (args.Length >= 2 && args[0] == "query")
{
    await Sightline.Benchmarks.Ingest.QueryLatency.RunAsync(args[1], Arg(2, 1_000_000));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(IngestSink).Assembly).Run(args);

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
