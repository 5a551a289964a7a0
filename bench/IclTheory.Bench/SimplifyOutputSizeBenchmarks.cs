using BenchmarkDotNet.Attributes;
using IclTheory.Symbolic;

namespace IclTheory.Bench;

/// <summary>
/// <c>Rational.simplify</c> of (x + y + z + 1)^n: a seven-node input whose canonical form is the
/// expanded polynomial, C(n + 3, 3) terms. The cost of a canonical form that expands numerators is
/// bounded by the size of its output, not of its input, so no input size alone can promise a time
/// (issue 3 asks for under 1 ms at up to 200 input nodes); this measures the cost per output node.
/// Measured (ShortRun, 2 shared cores, two runs, load 1.1–1.2), n: output nodes → µs: 2: 32 → 4.4–4.7;
/// 4: 184 → 8.8–9.1; 6: 540 → 20; 8: 1188 → 44; 12: 3712 → 163–166 — about 0.045 µs per output node
/// (session 6, load 3–5: 9.8, 34, 105, 277 and 918 µs, before a lone fraction was taken as its own
/// sum, so that its long numerator is no longer walked again for like terms and order, and before
/// the product by packed keys). By stopwatch (best of 300): n = 16, 8460 output nodes, 0.62 ms;
/// n = 18, 11 888 nodes, 0.98 ms; n = 20, 16 136 nodes, 1.48 ms; and (x + y + z + 1)^30, 52 756
/// output nodes, 13 ms (session 6: about 210 ms).
/// </summary>
[MemoryDiagnoser]
public class SimplifyOutputSizeBenchmarks
{
    private Expr power = null!;

    [Params(2, 4, 6, 8, 12)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => power = Parser.parse($"(x + y + z + 1)^{N}");

    [Benchmark]
    public Expr ExpandedPower() => Rational.simplify(power);
}
