namespace IclTheory.Simulation.Tests;

/// <summary>Running mean and standard error (Welford) for Monte-Carlo assertions.</summary>
internal sealed class RunningStat
{
    private double mean;
    private double m2;

    public long Count { get; private set; }

    public double Mean => mean;

    public double Variance => Count > 1 ? m2 / (Count - 1) : double.NaN;

    public double Se => Math.Sqrt(Variance / Count);

    public void Add(double x)
    {
        Count++;
        var delta = x - mean;
        mean += delta / Count;
        m2 += delta * (x - mean);
    }
}

internal static class Assertions
{
    /// <summary>Asserts |estimate − expected| ≤ z·se, reporting all numbers on failure.</summary>
    public static void WithinSe(double expected, double estimate, double se, double z, string what)
    {
        var deviation = Math.Abs(estimate - expected);
        Assert.True(
            deviation <= z * se,
            $"{what}: estimate {estimate:G8} vs expected {expected:G8}; |Δ| = {deviation:G4} > {z}·SE = {z * se:G4}.");
    }

    /// <summary>
    /// Asserts that each entry of <paramref name="gradient"/> matches the central difference (ℒ(θ + h e_i) − ℒ(θ − h e_i))/2h
    /// of <paramref name="loss"/> (which reads <paramref name="parameters"/>, perturbed in place and restored) within
    /// 1e-6 relative, against the larger of the entry and 1e-3 of the largest entry.
    /// </summary>
    public static void GradientMatchesCentralDifferences(double[] parameters, double[] gradient, Func<double> loss, double h = 1e-5)
    {
        var largest = gradient.Max(Math.Abs);
        for (var entry = 0; entry < parameters.Length; entry++)
        {
            var saved = parameters[entry];
            parameters[entry] = saved + h;
            var plus = loss();
            parameters[entry] = saved - h;
            var minus = loss();
            parameters[entry] = saved;
            var finiteDifference = (plus - minus) / (2 * h);
            var relative = Math.Abs(finiteDifference - gradient[entry]) / Math.Max(Math.Abs(gradient[entry]), 1e-3 * largest);
            Assert.True(
                relative < 1e-6,
                $"entry {entry} of {parameters.Length}: analytic {gradient[entry]:G12}, finite difference {finiteDifference:G12}, relative error {relative:G3}");
        }
    }
}
