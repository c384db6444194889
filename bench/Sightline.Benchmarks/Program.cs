using BenchmarkDotNet.Running;

// Run a subset with: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*Redact*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
