using BenchmarkDotNet.Running;
using Sightline.Benchmarks.Load;

// Micro-benchmarks: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*Redact*'
// Ingest sink for bench/load.sh: dotnet bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll sink <port>
if (args.Length == 2 && args[0] == "sink")
{
    await IngestSink.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    return;
}
// Profiling aid: dotnet Sightline.Benchmarks.dll loop <MiddlewareBenchmarks method> <iterations> (run it under perf)
if (args.Length == 3 && args[0] == "loop")
{
    var bench = new Sightline.Benchmarks.Middleware.MiddlewareBenchmarks();
    bench.Setup();
    var method = typeof(Sightline.Benchmarks.Middleware.MiddlewareBenchmarks).GetMethod(args[1])!;
    var run = method.CreateDelegate<Func<Task>>(bench);
    var iterations = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    var bytes = GC.GetTotalAllocatedBytes(precise: true);
    for (var i = 0; i < iterations; i++) await run();
    var used = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
    Console.WriteLine($"{args[1]}: {used.TotalMicroseconds / iterations:F2} us CPU/op, {(GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)iterations:F0} B/op");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(IngestSink).Assembly).Run(args);
