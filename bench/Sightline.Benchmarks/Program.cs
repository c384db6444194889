using BenchmarkDotNet.Running;
using Sightline.Benchmarks.Load;

// Micro-benchmarks: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*Redact*'
// Ingest sink for bench/load.sh: dotnet bench/Sightline.Benchmarks/bin/Release/net10.0/Sightline.Benchmarks.dll sink <port>
if (args.Length == 2 && args[0] == "sink")
{
    await IngestSink.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
    return;
}
// Profiling aid: dotnet Sightline.Benchmarks.dll loop <Class>.<Method> <iterations> (e.g. MiddlewareBenchmarks.FullCaptureShipped;
// run it under perf). Prints CPU time and bytes allocated per call.
if (args.Length == 3 && args[0] == "loop")
{
    var (className, methodName) = (args[1][..args[1].IndexOf('.', StringComparison.Ordinal)], args[1][(args[1].IndexOf('.', StringComparison.Ordinal) + 1)..]);
    var type = typeof(IngestSink).Assembly.GetTypes().Single(t => t.Name == className);
    var bench = Activator.CreateInstance(type)!;
    type.GetMethod("Setup")?.Invoke(bench, null);
    var method = type.GetMethod(methodName)!;
    Func<Task> run = method.ReturnType == typeof(Task) ? method.CreateDelegate<Func<Task>>(bench)
        : method.ReturnType == typeof(int) ? WrapFunc(method.CreateDelegate<Func<int>>(bench))
        : WrapAction(method.CreateDelegate<Action>(bench));
    var iterations = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    var bytes = GC.GetTotalAllocatedBytes(precise: true);
    for (var i = 0; i < iterations; i++) await run();
    var used = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
    Console.WriteLine($"{args[1]}: {used.TotalMicroseconds / iterations:F2} us CPU/op, {(GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)iterations:F0} B/op");
    return;
}
// A/B in one process (robust on a shared machine): dotnet Sightline.Benchmarks.dll loopab <Class>.<MethodA> <Class>.<MethodB> <iterations> [rounds=15]
// alternates the two in rounds and prints the minimum and median CPU time per call of each (the minimum is what interference cannot inflate).
if (args.Length >= 4 && args[0] == "loopab")
{
    var runs = new[] { Loop(args[1]), Loop(args[2]) };
    var iterations = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
    var rounds = args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 15;
    var samples = new[] { new List<double>(), new List<double>() };
    for (var warm = 0; warm < 2; warm++) foreach (var run in runs) for (var i = 0; i < iterations; i++) await run(); // tiered JIT
    for (var round = 0; round < rounds; round++)
    {
        for (var k = 0; k < 2; k++)
        {
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < iterations; i++) await runs[k]();
            samples[k].Add((System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / iterations);
        }
    }
    for (var k = 0; k < 2; k++)
    {
        samples[k].Sort();
        Console.WriteLine($"{args[1 + k]}: min {samples[k][0]:F3} median {samples[k][samples[k].Count / 2]:F3} us CPU/op");
    }
    return;
}
// Server ingest over loopback: ... Sightline.Benchmarks.dll ingest <sqlite|postgres> <none|2k> [records=300000] [batch=500] [concurrency=4]
// Store query latency:         ... Sightline.Benchmarks.dll query <sqlite|postgres> [records=1000000]   (see bench/ingest.sh)
if (args.Length >= 3 && args[0] == "ingest")
{
    await Sightline.Benchmarks.Ingest.IngestLoad.RunAsync(args[1], args[2] == "2k", Arg(3, 300_000), Arg(4, 500), Arg(5, 4));
    return;
}
// Ingest path without HTTP:    ... Sightline.Benchmarks.dll replay <sqlite|postgres> <none|2k> [records=100000]
if (args.Length >= 3 && args[0] == "replay")
{
    await Sightline.Benchmarks.Ingest.IngestReplay.RunAsync(args[1], args[2] == "2k", Arg(3, 100_000));
    return;
}
if (args.Length >= 2 && args[0] == "query")
{
    await Sightline.Benchmarks.Ingest.QueryLatency.RunAsync(args[1], Arg(2, 1_000_000));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(IngestSink).Assembly).Run(args);

static Func<Task> WrapFunc(Func<int> func) => () =>
{
    func();
    return Task.CompletedTask;
};

static Func<Task> WrapAction(Action action) => () =>
{
    action();
    return Task.CompletedTask;
};

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

static Func<Task> Loop(string name)
{
    var (className, methodName) = (name[..name.IndexOf('.', StringComparison.Ordinal)], name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..]);
    var type = typeof(IngestSink).Assembly.GetTypes().Single(t => t.Name == className);
    var bench = Activator.CreateInstance(type)!;
    type.GetMethod("Setup")?.Invoke(bench, null);
    var method = type.GetMethod(methodName)!;
    return method.ReturnType == typeof(Task) ? method.CreateDelegate<Func<Task>>(bench)
        : method.ReturnType == typeof(int) ? WrapFunc(method.CreateDelegate<Func<int>>(bench))
        : WrapAction(method.CreateDelegate<Action>(bench));
}
