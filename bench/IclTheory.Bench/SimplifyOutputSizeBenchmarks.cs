using BenchmarkDotNet.Attributes;
using IclTheory.Symbolic;

namespace IclTheory.Bench;

/// <summary>
/// <c>Rational.simplify</c> of (x + y + z + 1)^n: a seven-node input whose canonical form is the
/// expanded polynomial, C(n + 3, 3) terms. The cost of a canonical form that expands numerators is
/// bounded by the size of its output, not of its input, so no input size alone can promise a time
/// (issue 3 asks for under 1 ms at up to 200 input nodes); this measures the cost per output node.
/// Measured (ShortRun, 2 shared cores, session 9, four runs, load 0.7–1.4), n: output nodes → µs:
/// 2: 32 → 4.4–5.1; 4: 184 → 8.2–9.4; 6: 540 → 20–26; 8: 1188 → 44–50; 12: 3712 → 150–166 — about
/// 0.04 µs per output node (session 8, load 0.0–0.9: 3.8–4.3, 7.5–7.9, 17–19, 39–43, 127–144 µs; by
/// interleaved stopwatch session 9's code is within the noise of session 8's on these inputs)
/// (session 7: 4.4–4.7, 8.8–9.1, 20, 44, 163–166 µs; session 6, load 3–5: 9.8, 34, 105, 277 and
/// 918 µs, before a lone fraction was taken as its own sum, so that its long numerator is no longer
/// walked again for like terms and order, and before the product by packed keys). By stopwatch (best
/// of 300): n = 16, 8460 output nodes, 0.30 ms; n = 18, 11 888 nodes, 0.45 ms; n = 20, 16 136 nodes,
/// 0.64 ms; and (x + y + z + 1)^30, 52 756 output nodes, 6 ms (session 7: 0.62, 0.98, 1.48 and
/// 13 ms; session 6: about 210 ms for n = 30). The radix sort of packed keys made the large ones
/// about twice as fast.
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
