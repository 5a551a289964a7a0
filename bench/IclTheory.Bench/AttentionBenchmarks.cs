using BenchmarkDotNet.Attributes;
using IclTheory.Simulation;

namespace IclTheory.Bench;

/// <summary>
/// Training throughput of the full linear attention model (Eq. 3, mask Eq. 41) at D = 32, α = 2, κ = 1, L = 4, B = 64,
/// R = D + 1, tied weights, aligned start: one call runs <see cref="Steps"/> SGD steps, i.e. Steps × 64 contexts
/// (contexts/s = 64·Steps / time).
/// </summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    public const int Steps = 5;

    private FullAttentionOptions options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var task = new IsoTask(32, 64, 32, 0.0);
        options = new FullAttentionOptions(() => new IsoContext(task), Depth: 4, Steps: Steps, Batch: 64, LearningRate: 0.01, Seed: 7,
            Init: new FullAttentionInit.Aligned(0.5), FixedReadout: true, EvalContexts: 2, LogSteps: [0, Steps]);
    }

    [Benchmark]
    public double TrainFiveSteps() => FullAttentionTrainer.Train(options).FinalLoss;
}
