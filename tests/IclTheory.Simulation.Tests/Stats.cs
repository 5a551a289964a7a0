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
}
