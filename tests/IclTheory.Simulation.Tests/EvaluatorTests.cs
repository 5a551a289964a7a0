namespace IclTheory.Simulation.Tests;

public class EvaluatorTests
{
    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(3, 0.25)]
    public void AtZeroGammaTheTestLossIsOnePlusNoise(int depth, double sigma2)
    {
        // Γ = 0 predicts f* = 0, so ℒ(D) = mean of y*², with expectation 1 + σ² (Eq. 5); 4 SE.
        var task = IsoTask.FromRatios(16, 1.5, 1.0, sigma2);
        var (mean, se) = ReducedGammaEvaluator.TestLoss(task, depth, new double[16, 16], 4000, 3);
        Assertions.WithinSe(1 + sigma2, mean, se, 4, "ℒ(Γ = 0)");
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.62)]
    [InlineData(1.2)]
    public void ShallowIsotropicLossMatchesItsExactFiniteSizeQuadratic(double gamma)
    {
        // At L = 1 and Γ = γI the expected test loss is exactly 1 − 2γ + c_D γ² + σ² with
        // c_D = 1 + (D + 1 + σ²D)/P (finite-D form of Eq. 66; D → ∞ gives Eq. 8 at L = 1). 4 SE.
        const int dim = 12;
        const double sigma2 = 0.3;
        var task = IsoTask.FromRatios(dim, 2.0, 0.5, sigma2);
        var c = 1.0 + (dim + 1 + sigma2 * dim) / task.Context;
        var (mean, se) = ReducedGammaEvaluator.TestLossIsotropic(task, 1, gamma, 20_000, 12);
        Assertions.WithinSe(1 - 2 * gamma + c * gamma * gamma + sigma2, mean, se, 4, $"ℒ(γ = {gamma})");
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var task = IsoTask.FromRatios(10, 1.3, 0.7, 0.1);
        var serial = ReducedGammaEvaluator.TestLossIsotropic(task, 4, 0.9, 333, 5, maxDegreeOfParallelism: 1);
        var parallel = ReducedGammaEvaluator.TestLossIsotropic(task, 4, 0.9, 333, 5);
        Assert.Equal(serial, parallel);
        Assert.NotEqual(serial, ReducedGammaEvaluator.TestLossIsotropic(task, 4, 0.9, 333, 6));
    }

    [Fact]
    public void BadArgumentsAreRefusedNamingTheParameter()
    {
        var task = new IsoTask(3, 4, 2, 0.0);
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => ReducedGammaEvaluator.TestLossIsotropic(task, 0, 1.0, 10, 1)).ParamName);
        Assert.Equal("contexts", Assert.Throws<ArgumentOutOfRangeException>(() => ReducedGammaEvaluator.TestLossIsotropic(task, 1, 1.0, 1, 1)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => ReducedGammaEvaluator.TestLossIsotropic(task, 1, double.NaN, 10, 1)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => ReducedGammaEvaluator.TestLoss(task, 1, new double[3, 2], 10, 1)).ParamName);
        var infinite = new double[3, 3];
        infinite[1, 1] = double.PositiveInfinity;
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => ReducedGammaEvaluator.TestLoss(task, 1, infinite, 10, 1)).ParamName);
    }
}
