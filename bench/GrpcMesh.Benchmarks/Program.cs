using BenchmarkDotNet.Running;
using GrpcMesh.Benchmarks;

// dotnet run -c Release --project bench/GrpcMesh.Benchmarks -- --filter '*'    (or pick a class: --filter '*Validator*')
BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, BenchConfig.Create());
