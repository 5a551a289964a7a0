namespace IclTheory.Simulation.Tests;

public class RandomTests
{
    [Fact]
    public void Xoshiro256StarStarMatchesTheReferenceSequence()
    {
        // Reference outputs of the published algorithm from state (1, 2, 3, 4).
        ulong[] expected = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600];
        var rng = Xoshiro256StarStar.FromState(1, 2, 3, 4);
        foreach (var value in expected)
        {
            Assert.Equal(value, rng.NextUInt64());
        }
    }

    [Fact]
    public void SameSeedGivesIdenticalNumbersAndDifferentSeedsDiffer()
    {
        var a = new Xoshiro256StarStar(42);
        var b = new Xoshiro256StarStar(42);
        var c = new Xoshiro256StarStar(43);
        var differences = 0;
        for (var i = 0; i < 1000; i++)
        {
            var x = a.NextNormal();
            Assert.Equal(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(b.NextNormal()));
            differences += x == c.NextNormal() ? 0 : 1;
        }

        Assert.Equal(1000, differences);
    }

    [Fact]
    public void BulkFillDrawsTheSameNormalsAsSingleDraws()
    {
        // 100 000 draws pass through the slow path (tail, wedge, rejection) about a thousand times.
        var single = new Xoshiro256StarStar(5);
        var bulk = new Xoshiro256StarStar(5);
        var filled = new double[100_000];
        bulk.FillNormal(filled);
        foreach (var value in filled)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(single.NextNormal()), BitConverter.DoubleToInt64Bits(value));
        }

        Assert.Equal(single.NextUInt64(), bulk.NextUInt64());
    }

    [Fact]
    public void ChildStreamsAreDeterministicAndDistinct()
    {
        var seeds = new HashSet<ulong>();
        foreach (var purpose in new[] { StreamPurpose.TrainContext, StreamPurpose.EvalContext })
        {
            for (var step = 0; step < 30; step++)
            {
                for (var index = 0; index < 30; index++)
                {
                    var seed = StreamSeed.Derive(7, purpose, step, index);
                    Assert.Equal(seed, StreamSeed.Derive(7, purpose, step, index));
                    Assert.True(seeds.Add(seed), $"collision at ({purpose}, {step}, {index})");
                }
            }
        }

        Assert.NotEqual(StreamSeed.Derive(7, StreamPurpose.TrainContext, 1, 2), StreamSeed.Derive(7, StreamPurpose.TrainContext, 2, 1));
        Assert.NotEqual(StreamSeed.Derive(7, StreamPurpose.TrainContext, 1, 2), StreamSeed.Derive(8, StreamPurpose.TrainContext, 1, 2));
    }

    [Fact]
    public void UniformsHaveTheMomentsOfUniformZeroOne()
    {
        const int n = 1_000_000;
        var rng = new Xoshiro256StarStar(11);
        var stat = new RunningStat();
        for (var i = 0; i < n; i++)
        {
            var u = rng.NextDouble();
            Assert.InRange(u, 0.0, 1.0 - 1e-17);
            stat.Add(u);
        }

        // Var U = 1/12; the sample variance has SE √((μ4 − σ⁴)/n) with μ4 = 1/80.
        Assertions.WithinSe(0.5, stat.Mean, stat.Se, 5, "E U");
        Assertions.WithinSe(1.0 / 12, stat.Variance, Math.Sqrt((1.0 / 80 - 1.0 / 144) / n), 5, "Var U");
    }

    [Fact]
    public void NormalsHaveStandardMoments()
    {
        const int n = 4_000_000;
        var rng = new Xoshiro256StarStar(2024);
        double s1 = 0, s2 = 0, s4 = 0;
        for (var i = 0; i < n; i++)
        {
            var x = rng.NextNormal();
            s1 += x;
            s2 += x * x;
            s4 += x * x * x * x;
        }

        // Per-draw standard deviations of x, x², x⁴ under N(0,1): 1, √2, √(105 − 9) (E x⁸ = 105).
        Assertions.WithinSe(0.0, s1 / n, 1.0 / Math.Sqrt(n), 5, "E x");
        Assertions.WithinSe(1.0, s2 / n, Math.Sqrt(2.0 / n), 5, "E x²");
        Assertions.WithinSe(3.0, s4 / n, Math.Sqrt(96.0 / n), 5, "E x⁴");
    }

    [Fact]
    public void NormalTailFrequenciesMatchTheGaussianLaw()
    {
        // Two-sided tails P(|x| > q) = 2Φ̄(q); q = 3.5 straddles the ziggurat rectangles and q = 4 lies
        // wholly in the tail branch (beyond R = 3.654). Counts are binomial, SE = √(n p (1 − p)).
        const int n = 4_000_000;
        (double Q, double UpperTail)[] cases =
        [
            (1.0, 0.15865525393145707),
            (2.0, 0.02275013194817922),
            (3.0, 0.0013498980316300957),
            (3.5, 2.3262907903552504e-4),
            (4.0, 3.1671241833119965e-5),
        ];
        var counts = new long[cases.Length];
        var rng = new Xoshiro256StarStar(99);
        for (var i = 0; i < n; i++)
        {
            var x = Math.Abs(rng.NextNormal());
            for (var j = 0; j < cases.Length; j++)
            {
                counts[j] += x > cases[j].Q ? 1 : 0;
            }
        }

        for (var j = 0; j < cases.Length; j++)
        {
            var p = 2 * cases[j].UpperTail;
            Assertions.WithinSe(p, (double)counts[j] / n, Math.Sqrt(p * (1 - p) / n), 5, $"P(|x| > {cases[j].Q})");
        }
    }
}
