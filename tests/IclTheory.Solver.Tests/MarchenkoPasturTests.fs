module IclTheory.Solver.Tests.MarchenkoPasturTests

open System
open Xunit
open IclTheory.Solver

[<Theory>]
[<InlineData(0.5)>]
[<InlineData(1.0)>]
[<InlineData(2.0)>]
let ``first moments are 1, 1 + 1/alpha and 1 + 3/alpha + 1/alpha^2`` (alpha: float) =
    let q = 1.0 / alpha
    Assert.Equal(1.0, MarchenkoPastur.moment alpha 1, 14)
    Assert.Equal(1.0 + q, MarchenkoPastur.moment alpha 2, 14)
    Assert.Equal(1.0 + 3.0 * q + q * q, MarchenkoPastur.moment alpha 3, 14)

[<Fact>]
let ``Narayana coefficients of the fourth moment are 1 6 6 1`` () =
    Assert.Equal<int[]>([| 1; 6; 6; 1 |], MarchenkoPastur.narayana 4 |> Array.map int)

[<Fact>]
let ``negative alpha is refused naming the parameter`` () =
    let ex =
        Assert.Throws<InvalidParameterException>(fun () -> MarchenkoPastur.moment -1.0 2 |> ignore)

    Assert.Equal("alpha", ex.Parameter)

[<Fact>]
let ``NaN alpha is refused by integrate`` () =
    let ex =
        Assert.Throws<InvalidParameterException>(fun () -> MarchenkoPastur.integrate nan id |> ignore)

    Assert.Equal("alpha", ex.Parameter)

[<Theory>]
[<InlineData(0.25)>]
[<InlineData(0.5)>]
[<InlineData(1.0)>]
[<InlineData(1.001)>]
[<InlineData(2.0)>]
[<InlineData(8.0)>]
let ``quadrature reproduces the Narayana moments`` (alpha: float) =
    for k in [ 1; 2; 3; 5; 8; 13; 21; 40 ] do
        let exact = MarchenkoPastur.moment alpha k
        let adaptive = MarchenkoPastur.integrate alpha (fun l -> l ** float k)
        Assert.True(abs (adaptive.Value / exact - 1.0) < 1e-12, sprintf "k = %d: %g vs %g" k adaptive.Value exact)
        // The N-panel rule is exact for polynomials of degree ≤ 2N - 2.
        let panels = (k + 1) / 2 + 1
        let fixedRule = MarchenkoPastur.integrateWith alpha panels (fun l -> l ** float k)
        Assert.True(abs (fixedRule / exact - 1.0) < 1e-12, sprintf "k = %d, N = %d: %g vs %g" k panels fixedRule exact)

[<Fact>]
let ``the N-panel rule is not exact one degree too high`` () =
    // degree 2N - 1 with N = 4: the rule must miss (so exactness above is not vacuous).
    let exact = MarchenkoPastur.moment 2.0 7
    let rule = MarchenkoPastur.integrateWith 2.0 4 (fun l -> l ** 7.0)
    Assert.True(abs (rule / exact - 1.0) > 1e-6)

/// Independent integration of the density itself: λ = λ₋ + t² (smooth at the lower edge, also
/// when λ₋ = 0), then MathNet's double-exponential rule (which handles the square-root edge
/// at λ₊).
let private densityIntegral (alpha: float) (g: float -> float) =
    let lo, hi = MarchenkoPastur.edges alpha

    let integrand (t: float) =
        let l = lo + t * t
        2.0 * t * MarchenkoPastur.density alpha l * g l

    MathNet.Numerics.Integrate.DoubleExponential(integrand, 0.0, sqrt (hi - lo), 1e-13)

[<Theory>]
[<InlineData(0.25)>]
[<InlineData(0.7)>]
[<InlineData(1.0)>]
[<InlineData(3.0)>]
let ``density integrates to min(1, alpha)`` (alpha: float) =
    Assert.Equal(min 1.0 alpha, densityIntegral alpha (fun _ -> 1.0), 8)

[<Theory>]
[<InlineData(0.25)>]
[<InlineData(1.0)>]
[<InlineData(3.0)>]
let ``integrate includes the atom and matches the density for a non-polynomial g`` (alpha: float) =
    let g (l: float) = exp (-1.3 * l) * cos l
    let independent = MarchenkoPastur.atom alpha * g 0.0 + densityIntegral alpha g
    let result = MarchenkoPastur.integrate alpha g
    Assert.Equal(independent, result.Value, 8)
    Assert.True(result.ErrorEstimate < 1e-10)

[<Theory>]
[<InlineData(0.5)>]
[<InlineData(1.0)>]
[<InlineData(2.0)>]
[<InlineData(8.0)>]
let ``sum of interior weights plus the edge correction is min(1, alpha)`` (alpha: float) =
    for panels in [ 1; 2; 5; 16; 100 ] do
        let rule = MarchenkoPastur.rule alpha panels
        let total = Array.sum rule.Weight + MarchenkoPastur.edgeCorrection alpha panels
        Assert.Equal(min 1.0 alpha, total, 13)

[<Theory>]
[<InlineData(0.5)>]
[<InlineData(1.0)>]
[<InlineData(4.0)>]
let ``convergence is spectral with the rate set by the pole of g`` (alpha: float) =
    // g = 1/(λ + 2) has a pole at λ = -2, i.e. cos θ = (c₀ + 2)/r = cosh η, so the trapezoid
    // error falls like e^(-2ηN).
    let g (l: float) = 1.0 / (l + 2.0)
    let reference = (MarchenkoPastur.integrate alpha g).Value
    let c0 = 1.0 + 1.0 / alpha
    let r = 2.0 / sqrt alpha
    let eta = log ((c0 + 2.0) / r + sqrt (((c0 + 2.0) / r) ** 2.0 - 1.0))

    let errors =
        [
            for n in [ 3; 5; 7 ] -> abs (MarchenkoPastur.integrateWith alpha n g - reference)
        ]

    let observed = (log errors[0] - log errors[2]) / 4.0
    Assert.True(abs (observed / (2.0 * eta) - 1.0) < 0.1, sprintf "observed rate %g, predicted %g" observed (2.0 * eta))
    Assert.True(errors[2] < errors[1] && errors[1] < errors[0])

[<Fact>]
let ``inverse moment for alpha > 1 uses the plain rule when g(0) is infinite`` () =
    // ∫ρ/λ = α/(α - 1) for α > 1 (no atom).
    for alpha in [ 2.0; 4.0 ] do
        let r = MarchenkoPastur.integrate alpha (fun l -> 1.0 / l)
        Assert.Equal(alpha / (alpha - 1.0), r.Value, 12)

    Assert.Throws<ConvergenceException>(fun () -> MarchenkoPastur.integrate 0.5 (fun l -> 1.0 / l) |> ignore)
    |> ignore
