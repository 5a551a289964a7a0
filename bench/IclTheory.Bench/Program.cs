using BenchmarkDotNet.Running;

namespace IclTheory.Bench;

/// <summary>
/// Benchmarks of the engine and the simulation. Run all with
/// <c>dotnet run -c Release --project bench/IclTheory.Bench -- --filter '*'</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
