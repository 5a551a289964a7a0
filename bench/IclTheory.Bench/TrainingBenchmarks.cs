using BenchmarkDotNet.Attributes;
using IclTheory.Simulation;

namespace IclTheory.Bench;

/// <summary>
/// Training throughput of the reduced-Γ model at D = 64, α = 2, κ = 1, L = 4, B = 64:
/// one call runs <see cref="Steps"/> SGD steps, i.e. Steps × 64 contexts (contexts/s = 64·Steps / time).
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    public const int Steps = 20;

    private TrainOptions options = null!;

    [GlobalSetup]
    public void Setup() =>
        options = new TrainOptions(new IsoTask(64, 128, 64, 0.0), Depth: 4, Steps: Steps, Batch: 64,
            LearningRate: 0.1, Seed: 7, EvalContexts: 2, LogSteps: new[] { 0, Steps });

    [Benchmark]
    public double TrainTwentySteps() => ReducedGammaTrainer.Train(options).FinalLoss;
}
