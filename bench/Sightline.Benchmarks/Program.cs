using BenchmarkDotNet.Running;
using Sightline.Benchmarks.Load;

// Micro-benchmarks: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*Redact*'
// Ingest sink for bench/load.sh: dotnet bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll sink <port>
if (args.Length == 2 && args[0] == "sink")
{
    await IngestSink.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(IngestSink).Assembly).Run(args);
