namespace IclTheory.Simulation.Tests;

public class TwoPointMonteCarloTests
{
    private static double[] Lambda(int dim) => Spectrum.PowerLawLambda(dim, 1.0);

    private static double[] Omega(int dim) => Spectrum.PowerLawOmega(dim, 1.0, 1.0);

    private static TwoPointMcOptions Options(
        int dim, int width, int? context, WidthProjection projection, int[] depths, double[] steps, int samples, ulong seed = 11) =>
        new(dim, width, context, Lambda(dim), Omega(dim), projection, depths, steps, samples, seed);

    [Theory]
    [InlineData(WidthProjection.Rank, 3, 5)]
    [InlineData(WidthProjection.Rank, 3, 0)]
    [InlineData(WidthProjection.Rank, 7, 4)]
    [InlineData(WidthProjection.Gaussian, 3, 5)]
    [InlineData(WidthProjection.Gaussian, 7, 0)]
    [InlineData(WidthProjection.Gaussian, 7, 12)]
    public void FastFormulaMatchesTheDirectMatrixPower(WidthProjection projection, int width, int context)
    {
        // p(M) = I + G diag(q) Y against (I − gM)^L by repeated products, with B̃ built from the raw map
        // (UUᵀ or (AᵀA)², not from the factor G₀) and Σ̂ = XᵀX/P: equal to rounding for every (L, g).
        const int dim = 7;
        var lambda = Lambda(dim);
        var omega = Omega(dim);
        var sample = new TwoPointSample(dim, width, context, projection, lambda, omega);
        foreach (var index in new[] { 0, 1, 2 })
        {
            sample.Draw(21, index);
            sample.Reduce();
            foreach (var depth in new[] { 1, 2, 5 })
            {
                foreach (var g in new[] { 0.0, 0.1, 0.5, 1.3 })
                {
                    var fast = sample.Loss(depth, g);
                    var direct = TwoPointReference.Loss(sample, projection, dim, width, context, lambda, omega, depth, g);
                    Assert.True(Math.Abs(fast - direct) <= 1e-10 * Math.Abs(direct), $"sample {index}, L = {depth}, g = {g}: fast {fast:G17} vs direct {direct:G17}");
                }
            }
        }
    }

    [Theory]
    [InlineData(1e-300)]
    [InlineData(1e-9)]
    [InlineData(0.3)]
    [InlineData(0.999)]
    [InlineData(1.0)]
    [InlineData(1.7)]
    [InlineData(2.5)]
    public void DividedDifferenceIsTheGeometricSum(double theta)
    {
        // q(θ) = (p(θ) − 1)/θ = −g Σ_{j<L} (1 − gθ)^j: the sum itself, accumulated in order, is the independent value.
        foreach (var depth in new[] { 1, 2, 7, 40 })
        {
            const double g = 0.8;
            var sum = 0.0;
            var power = 1.0;
            for (var j = 0; j < depth; j++)
            {
                sum += power;
                power *= 1.0 - g * theta;
            }

            var expected = -g * sum;
            var actual = TwoPointSample.DividedDifference(theta, depth, g);
            Assert.True(Math.Abs(actual - expected) <= 1e-13 * depth * Math.Max(1.0, Math.Abs(expected)), $"L = {depth}: {actual:G17} vs {expected:G17}");
        }

        Assert.Equal(-0.8 * 6, TwoPointSample.DividedDifference(0.0, 6, 0.8));
    }

    [Fact]
    public void FullWidthAndInfiniteContextIsGradientDescentOnLambda()
    {
        // N = D (UUᵀ = I) and P → ∞ (Σ̂ = Λ): M = Λ with no randomness left, so ℒ = (1/D) Σ ω_k λ_k (1 − gλ_k)^{2L}
        // and the spread across samples is rounding only.
        const int dim = 12;
        double[] steps = [0.25, 0.5, 1.0, 1.6];
        int[] depths = [1, 3, 8];
        var result = TwoPointMonteCarlo.Run(Options(dim, dim, null, WidthProjection.Rank, depths, steps, 6));
        var lambda = Lambda(dim);
        var omega = Omega(dim);
        foreach (var point in result.Points)
        {
            var expected = Enumerable.Range(0, dim)
                .Sum(k => omega[k] * lambda[k] * Math.Pow(1.0 - point.GammaOverDepth * lambda[k], 2 * point.Depth)) / dim;
            Assert.True(Math.Abs(point.Loss - expected) <= 1e-10 * expected, $"L = {point.Depth}, g = {point.GammaOverDepth}: {point.Loss:G17} vs {expected:G17}");
            Assert.True(point.StandardError <= 1e-13 * expected, $"SE = {point.StandardError:G4}");
            Assert.Equal(6, point.Samples);
            Assert.Equal(point.GammaOverDepth * point.Depth, point.Gamma);
        }
    }

    /// <summary>
    /// The exact L = 1 loss for the rank projection Π = UUᵀ and a Gaussian context, p(M) = I − γΠΣ̂, independent Π and Σ̂:
    /// D·ℒ = Tr ΩΛ − 2γ(N/D) Σ ω_i λ_i² + γ² Σ_i ω_i [(1 + 1/P) λ_i² δ_i + (1/P)(Σ_k δ_k λ_k) λ_i],
    /// δ_i = E(ΠΛΠ)_ii = a λ_i + b (Tr Λ − λ_i). Haar projection moments: Π_ii = ‖Uᵀe_i‖² ~ Beta(N/2, (D − N)/2), so
    /// a = E Π_ii² = N(N + 2)/(D(D + 2)); Π² = Π gives Σ_k Π_ik² = Π_ii, hence by exchangeability
    /// b = E Π_ik² = (N/D − a)/(D − 1) for i ≠ k; odd moments E Π_ij Π_jl (i ≠ l) vanish by reflecting coordinate i.
    /// Gaussian moments (Isserlis): E Σ̂ C Σ̂ = (1 + 1/P) ΛCΛ + (1/P) Tr(CΛ) Λ for diagonal C. P → ∞ drops the 1/P terms.
    /// </summary>
    private static double DepthOneRankLoss(double[] lambda, double[] omega, int width, int? context, double gamma)
    {
        var dim = lambda.Length;
        double n = width;
        double d = dim;
        var inverseP = context is { } p ? 1.0 / p : 0.0;
        var a = n * (n + 2.0) / (d * (d + 2.0));
        var b = dim == 1 ? 0.0 : (n / d - a) / (d - 1.0);
        var traceLambda = lambda.Sum();
        var delta = lambda.Select(l => a * l + b * (traceLambda - l)).ToArray();
        var deltaLambda = delta.Zip(lambda, (x, y) => x * y).Sum();
        var total = 0.0;
        for (var i = 0; i < dim; i++)
        {
            var second = (1.0 + inverseP) * lambda[i] * lambda[i] * delta[i] + inverseP * deltaLambda * lambda[i];
            total += omega[i] * (lambda[i] - 2.0 * gamma * (n / d) * lambda[i] * lambda[i] + gamma * gamma * second);
        }

        return total / d;
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(3, 4)]
    [InlineData(6, 3)]
    public void DepthOneMatchesHaarAndWishartMoments(int width, int? context)
    {
        // L = 1 is quadratic in M: its finite-D mean is exact from the moments above; the MC must agree within 4 SE,
        // and the SE must be small enough (< 1% of the loss) that a wrong moment would show.
        const int dim = 6;
        double[] steps = [0.4, 1.2];
        var result = TwoPointMonteCarlo.Run(Options(dim, width, context, WidthProjection.Rank, [1], steps, 40_000, seed: 5));
        foreach (var point in result.Points)
        {
            var expected = DepthOneRankLoss(Lambda(dim), Omega(dim), width, context, point.Gamma);
            Assert.True(point.StandardError < 0.01 * expected, $"SE {point.StandardError:G4} too large for loss {expected:G6}");
            Assertions.WithinSe(expected, point.Loss, point.StandardError, 4.0, $"N = {width}, P = {context}, γ = {point.Gamma}");
        }
    }

    [Fact]
    public void GaussianMapHasTheWishartFourthMoment()
    {
        // A with iid N(0, 1/D) entries: E (AᵀA)² = (1/D²)[N(N − 1) + N(D + 2)] I = N(N + D + 1)/D² · I
        // (Isserlis: E a aᵀ a aᵀ = (D + 2) I for a ~ N(0, I_D)). Each entry of the MC mean within 4 SE.
        const int dim = 5;
        const int width = 3;
        const int samples = 20_000;
        var sample = new TwoPointSample(dim, width, 0, WidthProjection.Gaussian, Lambda(dim), Omega(dim));
        var stats = Enumerable.Range(0, dim * dim).Select(_ => new RunningStat()).ToArray();
        for (var s = 0; s < samples; s++)
        {
            sample.Draw(8, s);
            var b = TwoPointReference.RotatedWidthMatrix(sample.ProjectionRows, WidthProjection.Gaussian, dim, width);
            for (var i = 0; i < dim * dim; i++)
            {
                stats[i].Add(b[i]);
            }
        }

        var diagonal = width * (width + dim + 1.0) / (dim * dim);
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var stat = stats[i * dim + j];
                Assertions.WithinSe(i == j ? diagonal : 0.0, stat.Mean, stat.Se, 4.0, $"E (AᵀA)²[{i},{j}]");
            }
        }
    }

    [Fact]
    public void ResultsAreBitIdenticalForASeedWhateverTheThreadCount()
    {
        var options = Options(10, 4, 7, WidthProjection.Gaussian, [1, 3], [0.3, 0.9], 37);
        var serial = TwoPointMonteCarlo.Run(options with { MaxDegreeOfParallelism = 1 });
        var two = TwoPointMonteCarlo.Run(options with { MaxDegreeOfParallelism = 2 });
        var free = TwoPointMonteCarlo.Run(options);
        var again = TwoPointMonteCarlo.Run(options);
        var other = TwoPointMonteCarlo.Run(options with { Seed = 12 });
        Assert.Equal(serial.Points, two.Points);
        Assert.Equal(serial.Points, free.Points);
        Assert.Equal(free.Points, again.Points);
        Assert.All(serial.Points.Zip(other.Points), pair => Assert.NotEqual(pair.First.Loss, pair.Second.Loss));
        Assert.Equal(serial.Points[3], serial.At(3, 1));
    }

    [Fact]
    public void ProgressCountsEverySampleAndCancellationStops()
    {
        var options = Options(6, 2, 3, WidthProjection.Rank, [2], [0.5], 25, seed: 3) with { MaxDegreeOfParallelism = 1 };
        var reports = new List<int>();
        TwoPointMonteCarlo.Run(options, new SynchronousProgress(reports.Add));
        Assert.Equal(Enumerable.Range(1, 25), reports);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => TwoPointMonteCarlo.Run(options, null, cancelled.Token));
    }

    [Fact]
    public void AnOverflowingLossIsAnErrorNotANaN()
    {
        // g = 10 with λ₁ = 1 and L = 400: |1 − gθ|^L ≈ 9^400 overflows double; the run must say so.
        var options = Options(4, 4, null, WidthProjection.Rank, [400], [10.0], 2);
        var error = Assert.Throws<InvalidOperationException>(() => TwoPointMonteCarlo.Run(options));
        Assert.Contains("overflowed", error.Message);
    }

    public static TheoryData<string, TwoPointMcOptions> BadOptions()
    {
        var good = Options(5, 3, 4, WidthProjection.Rank, [1, 2], [0.5], 10);
        return new TheoryData<string, TwoPointMcOptions>
        {
            { "dim", good with { Dim = 0 } },
            { "width", good with { Width = 0 } },
            { "width", good with { Width = 6 } },
            { "context", good with { Context = 0 } },
            { "lambda", good with { Lambda = [1, 2, 3] } },
            { "lambda", good with { Lambda = [1, 2, 3, 0, 1] } },
            { "omega", good with { Omega = [1, 2, double.NaN, 1, 1] } },
            { "projection", good with { Projection = (WidthProjection)7 } },
            { "depths", good with { Depths = [] } },
            { "depths", good with { Depths = [2, 0] } },
            { "gamma-over-depth", good with { GammaOverDepth = [] } },
            { "gamma-over-depth", good with { GammaOverDepth = [-0.1] } },
            { "gamma-over-depth", good with { GammaOverDepth = [double.PositiveInfinity] } },
            { "samples", good with { Samples = 1 } },
            { "threads", good with { MaxDegreeOfParallelism = 0 } },
        };
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsNameTheParameter(string parameter, TwoPointMcOptions options)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => TwoPointMonteCarlo.Run(options));
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message);
    }

    /// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
