using System.Numerics.Tensors;

namespace IclTheory.Simulation.Tests;

public class SamplerTests
{
    [Theory]
    [InlineData(16, 32, 16, 0.0)]
    [InlineData(8, 5, 12, 0.7)]
    public void TargetsHaveSecondMomentOnePlusNoise(int dim, int points, int eval, double sigma2)
    {
        // E y² = E(β·x)²/D + σ² = 1 + σ² (Eq. 5). Per-context means are i.i.d., so their SE is exact.
        var task = new IsoTask(dim, points, eval, sigma2);
        var context = new IsoContext(task);
        var labelled = new RunningStat();
        var evaluation = new RunningStat();
        var signal = new RunningStat();
        for (var c = 0; c < 20_000; c++)
        {
            context.Sample(5, StreamPurpose.Auxiliary, 0, c);
            labelled.Add(TensorPrimitives.SumOfSquares<double>(context.Y) / points);
            evaluation.Add(TensorPrimitives.SumOfSquares<double>(context.YStar) / eval);
            signal.Add(TensorPrimitives.Dot(context.Row(0), context.Beta) / Math.Sqrt(dim) * context.Y[0]);
        }

        Assertions.WithinSe(1 + sigma2, labelled.Mean, labelled.Se, 5, "E y²");
        Assertions.WithinSe(1 + sigma2, evaluation.Mean, evaluation.Se, 5, "E y*²");
        Assertions.WithinSe(1.0, signal.Mean, signal.Se, 5, "E[(β·x/√D) y]");
    }

    [Fact]
    public void TheSameCellGivesTheSameContext()
    {
        var task = new IsoTask(5, 7, 3, 0.2);
        var a = new IsoContext(task);
        var b = new IsoContext(task);
        a.Sample(1, StreamPurpose.TrainContext, 3, 4);
        b.Sample(1, StreamPurpose.TrainContext, 3, 4);
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.YStar, b.YStar);
        b.Sample(1, StreamPurpose.TrainContext, 3, 5);
        Assert.NotEqual(a.X, b.X);
    }

    [Theory]
    [InlineData(10, 0.25, 1.0, 3, 10)]
    [InlineData(10, 0.01, 0.04, 1, 1)]
    [InlineData(64, 2.0, 1.0, 128, 64)]
    public void RatiosRoundToNearestCountOfAtLeastOne(int dim, double alpha, double kappa, int points, int eval)
    {
        var task = IsoTask.FromRatios(dim, alpha, kappa, 0.0);
        Assert.Equal(points, task.Context);
        Assert.Equal(eval, task.Eval);
    }

    [Fact]
    public void BadTasksAreRefusedNamingTheParameter()
    {
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => new IsoTask(0, 4, 4, 0)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new IsoTask(4, 0, 4, 0)).ParamName);
        Assert.Equal("kappa", Assert.Throws<ArgumentOutOfRangeException>(() => new IsoTask(4, 4, 0, 0)).ParamName);
        var sigma = Assert.Throws<ArgumentOutOfRangeException>(() => new IsoTask(4, 4, 4, -0.1));
        Assert.Equal("sigma2", sigma.ParamName);
        Assert.Contains("≥ 0", sigma.Message, StringComparison.Ordinal);
        Assert.Equal("sigma2", Assert.Throws<ArgumentOutOfRangeException>(() => new IsoTask(4, 4, 4, double.NaN)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => IsoTask.FromRatios(4, -1, 1, 0)).ParamName);
        var valid = new IsoTask(4, 4, 4, 0);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => valid with { Dim = -2 }).ParamName);
    }
}
