namespace IclTheory.Simulation.Tests;

public class HaarTests
{
    private const int Samples = 40_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(33)]
    public void SamplesAreOrthogonal(int dim)
    {
        var haar = new HaarOrthogonal(dim);
        var o = new double[dim * dim];
        for (var n = 0; n < 5; n++)
        {
            var rng = Xoshiro256StarStar.ForCell(12, StreamPurpose.Auxiliary, dim, n);
            haar.Sample(ref rng, o);
            for (var i = 0; i < dim; i++)
            {
                for (var j = 0; j < dim; j++)
                {
                    double columns = 0, rows = 0;
                    for (var k = 0; k < dim; k++)
                    {
                        columns += o[k * dim + i] * o[k * dim + j];
                        rows += o[i * dim + k] * o[j * dim + k];
                    }

                    var identity = i == j ? 1.0 : 0.0;
                    Assert.True(Math.Abs(columns - identity) < 1e-12, $"(OᵀO)[{i},{j}] = {columns:G17}");
                    Assert.True(Math.Abs(rows - identity) < 1e-12, $"(OOᵀ)[{i},{j}] = {rows:G17}");
                }
            }
        }
    }

    [Theory]
    [InlineData(7, 1)]
    [InlineData(7, 3)]
    [InlineData(20, 19)]
    public void FramesHaveOrthonormalRows(int dim, int width)
    {
        var haar = new HaarOrthogonal(dim, width);
        var u = new double[width * dim];
        var rng = Xoshiro256StarStar.ForCell(13, StreamPurpose.Auxiliary, dim, width);
        haar.Sample(ref rng, u);
        for (var i = 0; i < width; i++)
        {
            for (var j = 0; j < width; j++)
            {
                double dot = 0;
                for (var k = 0; k < dim; k++)
                {
                    dot += u[i * dim + k] * u[j * dim + k];
                }

                Assert.True(Math.Abs(dot - (i == j ? 1.0 : 0.0)) < 1e-12, $"(UᵀU)[{i},{j}] = {dot:G17}");
            }
        }
    }

    [Fact]
    public void FrameWidthOutsideOneToDimIsRefusedByName()
    {
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new HaarOrthogonal(5, 6)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new HaarOrthogonal(5, 0)).ParamName);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    public void TraceMomentsAreThoseOfHaarMeasure(int dim)
    {
        // Diaconis–Shahshahani (1994): for Haar O(D), E tr O = 0, E (tr O)² = 1, E tr O² = 1 (D ≥ 2) and
        // E (tr O)⁴ = 3 (D ≥ 4): the traces of powers are asymptotically independent Gaussians, exactly so for
        // moments of low order. 40 000 independent samples; SE from the sample variance; 4.5 SE (8 checks).
        var m = Moments(dim, Samples, 5, signFix: true);
        Assertions.WithinSe(0.0, m.Trace.Mean, m.Trace.Se, 4.5, $"E tr O (D = {dim})");
        Assertions.WithinSe(1.0, m.TraceSquared.Mean, m.TraceSquared.Se, 4.5, $"E (tr O)² (D = {dim})");
        Assertions.WithinSe(1.0, m.TraceOfSquare.Mean, m.TraceOfSquare.Se, 4.5, $"E tr O² (D = {dim})");
        Assertions.WithinSe(3.0, m.TraceFourth.Mean, m.TraceFourth.Se, 4.5, $"E (tr O)⁴ (D = {dim})");
    }

    [Fact]
    public void WithoutTheSignFixTheTraceMomentsFail()
    {
        // Householder QR alone gives Q = H_0⋯H_{D−1} with det Q = (−1)^D and a biased trace: measured E tr Q ≈ −1.60,
        // E tr Q² ≈ −0.55, E (tr Q)⁴ ≈ 15 at D = 4. The same moment checks must reject it by far.
        var m = Moments(4, Samples, 5, signFix: false);
        Assert.True(Math.Abs(m.Trace.Mean) > 50 * m.Trace.Se, $"E tr Q = {m.Trace.Mean:G4} ± {m.Trace.Se:G2}");
        Assert.True(Math.Abs(m.TraceOfSquare.Mean - 1.0) > 50 * m.TraceOfSquare.Se, $"E tr Q² = {m.TraceOfSquare.Mean:G4}");
        Assert.True(Math.Abs(m.TraceFourth.Mean - 3.0) > 20 * m.TraceFourth.Se, $"E (tr Q)⁴ = {m.TraceFourth.Mean:G4}");
    }

    [Fact]
    public void TheSameStreamGivesTheSameRotation()
    {
        var haar = new HaarOrthogonal(6);
        double[] a = new double[36], b = new double[36], c = new double[36];
        var rng = new Xoshiro256StarStar(3);
        haar.Sample(ref rng, a);
        rng = new Xoshiro256StarStar(3);
        haar.Sample(ref rng, b);
        haar.Sample(ref rng, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => new HaarOrthogonal(0)).ParamName);
    }

    internal static (RunningStat Trace, RunningStat TraceSquared, RunningStat TraceOfSquare, RunningStat TraceFourth) Moments(
        int dim, int samples, ulong seed, bool signFix)
    {
        var haar = new HaarOrthogonal(dim);
        var o = new double[dim * dim];
        var (trace, traceSquared, traceOfSquare, traceFourth) = (new RunningStat(), new RunningStat(), new RunningStat(), new RunningStat());
        for (var n = 0; n < samples; n++)
        {
            var rng = Xoshiro256StarStar.ForCell(seed, StreamPurpose.Auxiliary, dim, n);
            haar.Sample(ref rng, o, signFix);
            double t = 0, t2 = 0;
            for (var i = 0; i < dim; i++)
            {
                t += o[i * dim + i];
                for (var k = 0; k < dim; k++)
                {
                    t2 += o[i * dim + k] * o[k * dim + i];
                }
            }

            trace.Add(t);
            traceSquared.Add(t * t);
            traceOfSquare.Add(t2);
            traceFourth.Add(t * t * t * t);
        }

        return (trace, traceSquared, traceOfSquare, traceFourth);
    }
}
