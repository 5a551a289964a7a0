module IclTheory.Solver.Tests.TwoPointTests

open System
open Xunit
open IclTheory.Solver
open IclTheory.Solver.TwoPoint

let private tr (xs: float[]) = Array.average xs

let private powerLaw d = Spectrum.powerLaw 1.0 1.0 d

let private relClose (tol: float) (expected: float) (actual: float) =
    let err = abs (actual - expected) / abs expected

    Assert.True(err <= tol, sprintf "expected %.15g, got %.15g (relative error %.3g > %.3g)" expected actual err tol)

/// N = D, P → ∞: M = Λ, so ℒ = tr ΩΛ (1 − γΛ/L)^(2L) exactly (Eq. 98).
[<Theory>]
[<InlineData(1, 0.5)>]
[<InlineData(4, 1.0)>]
[<InlineData(16, 1.7)>]
let ``no bottleneck reduces to Eq. 98`` (depth: int) (ratio: float) =
    let s = powerLaw 200
    let gamma = ratio * float depth

    let expected =
        Array.map2 (fun l w -> w * l * (1.0 - gamma * l / float depth) ** (2.0 * float depth)) s.Lambda s.Omega
        |> tr

    let v = loss s { AlphaN = 1.0; AlphaP = None } gamma depth
    relClose 1e-9 expected v.Loss

/// L = 1 moments by free probability and Gaussian moments (theory/two-point.md §6), with b₁ = tr B and
/// b₂ = tr B²: ℒ = trΩΛ − 2γb₁ trΩΛ² + γ²[b₁²(trΩΛ³ + trΩΛ trΛ²/α_P) + (b₂ − b₁²) trΛ (trΩΛ² + trΩΛ trΛ/α_P)].
/// The rank projection has b₁ = b₂ = α_N.
let private depthOneLoss (s: Spectrum.Spectrum) (b1: float) (b2: float) (inverseAlphaP: float) (gamma: float) =
    let m f = Array.map2 f s.Lambda s.Omega |> tr

    let wl = m (fun l w -> w * l)
    let wl2 = m (fun l w -> w * l * l)
    let wl3 = m (fun l w -> w * l * l * l)
    let l1 = tr s.Lambda
    let l2 = s.Lambda |> Array.map (fun l -> l * l) |> tr

    wl - 2.0 * gamma * b1 * wl2
    + gamma
      * gamma
      * (b1 * b1 * (wl3 + wl * l2 * inverseAlphaP)
         + (b2 - b1 * b1) * l1 * (wl2 + wl * l1 * inverseAlphaP))

/// The bottleneck of a test case: α_P = ∞ when 1/α_P is given as 0.
let private bottleneck (alphaN: float) (inverseAlphaP: float) =
    {
        AlphaN = alphaN
        AlphaP =
            (if inverseAlphaP = 0.0 then
                 None
             else
                 Some(1.0 / inverseAlphaP))
    }

[<Theory>]
[<InlineData(1.0, 2.0)>]
[<InlineData(0.5, 0.0)>]
[<InlineData(0.25, 0.0)>]
[<InlineData(0.5, 1.0)>]
[<InlineData(0.25, 2.0)>]
[<InlineData(1.0, 0.25)>]
let ``depth one matches the exact second moments`` (alphaN: float) (inverseAlphaP: float) =
    let s = powerLaw 150
    let b = bottleneck alphaN inverseAlphaP

    for gamma in [ 0.5; 1.0; 2.0 ] do
        let v = loss s b gamma 1
        relClose 1e-9 (depthOneLoss s alphaN alphaN inverseAlphaP gamma) v.Loss

/// P → ∞, rank projection: the double contour integral equals the single one-point integral
/// of the compressed matrix UᵀΛU (independent derivation, theory/two-point.md §5).
[<Theory>]
[<InlineData(0.25, 2, 0.5)>]
[<InlineData(0.5, 4, 1.0)>]
[<InlineData(0.75, 8, 1.5)>]
[<InlineData(0.5, 16, 2.0)>]
let ``infinite context agrees with the one-point reduction`` (alphaN: float) (depth: int) (ratio: float) =
    let s = powerLaw 120
    let gamma = ratio * float depth
    let two = loss s { AlphaN = alphaN; AlphaP = None } gamma depth
    let one = lossInfiniteContext s alphaN gamma depth 256
    relClose 1e-9 one two.Loss

/// Λ = I, N = D: Σ̂ is white Wishart, so ℒ = tr Ω · ∫ p(x)² dMP(x), a polynomial in the exact
/// Marchenko–Pastur moments (Narayana numbers).
[<Theory>]
[<InlineData(2, 0.5)>]
[<InlineData(4, 2.0)>]
[<InlineData(8, 4.0)>]
let ``white Wishart matches Marchenko–Pastur moments`` (depth: int) (alphaP: float) =
    let d = 64
    let omega = Array.init d (fun k -> 1.0 / float (k + 1))
    let s = Spectrum.ofArrays (Array.create d 1.0) omega
    let gamma = 0.3 * float depth
    let c = -gamma / float depth

    let binomial n k =
        Seq.fold (fun acc i -> acc * float (n - k + i) / float i) 1.0 (seq { 1..k })
    // p(x)² = (1 + c x)^(2L) = Σ_j C(2L, j) c^j x^j
    let moments =
        Seq.sumBy
            (fun j -> binomial (2 * depth) j * c ** float j * MarchenkoPastur.moment alphaP j)
            (seq { 0 .. 2 * depth })

    let v = loss s { AlphaN = 1.0; AlphaP = Some alphaP } gamma depth
    relClose 1e-9 (tr omega * moments) v.Loss

/// ∂ℒ/∂γ from the kernel against a central difference of ℒ.
[<Fact>]
let ``slope matches a finite difference`` () =
    let s = powerLaw 100
    let b = { AlphaN = 0.5; AlphaP = Some 2.0 }
    let depth = 4
    let gamma = 3.0
    let h = 1e-4

    let k =
        kernelFor derived s b [ gamma - h, depth; gamma, depth; gamma + h, depth ] 1e-12

    let fd =
        ((lossFrom k (gamma + h) depth).Loss - (lossFrom k (gamma - h) depth).Loss)
        / (2.0 * h)

    relClose 1e-6 fd (slopeFrom k gamma depth).Loss

/// Node doubling: the reported error estimate bounds the distance to a much finer rule.
[<Fact>]
let ``error estimate bounds the distance to a finer rule`` () =
    let s = powerLaw 100
    let b = { AlphaN = 0.5; AlphaP = Some 1.0 }
    let coarse = lossWith derived s b 4.0 4 1e-6
    let fine = lossWith derived s b 4.0 4 1e-13
    Assert.True(coarse.ErrorEstimate <= 1e-6 * abs coarse.Loss)
    Assert.True(abs (coarse.Loss - fine.Loss) <= max coarse.ErrorEstimate 1e-15)

/// White Λ, N = D: the spectral edge is the Marchenko–Pastur edge (1 + α_P^(-1/2))².
[<Fact>]
let ``spectral edge of white Wishart is the Marchenko–Pastur edge`` () =
    let s = Spectrum.ofArrays (Array.create 50 1.0) (Array.create 50 1.0)
    let struct (edge, _) = spectralEdge s { AlphaN = 1.0; AlphaP = Some 2.0 }
    relClose 1e-8 ((1.0 + 1.0 / sqrt 2.0) ** 2.0) edge

[<Fact>]
let ``bad bottlenecks name the parameter`` () =
    let s = powerLaw 10

    let width =
        Assert.Throws<InvalidParameterException>(fun () -> loss s { AlphaN = 1.5; AlphaP = None } 1.0 1 |> ignore)

    Assert.Equal("width", width.Parameter)

    let context =
        Assert.Throws<InvalidParameterException>(fun () -> loss s { AlphaN = 0.5; AlphaP = Some -1.0 } 1.0 1 |> ignore)

    Assert.Equal("context", context.Parameter)

/// N = D, P → ∞: the flow is Eq. 13, which RrsTheory integrates by an independent quadrature.
[<Fact>]
let ``flow without bottlenecks is the RRS flow of Eq. 13`` () =
    let s = powerLaw 100
    let times = [| 0.0; 0.5; 3.0; 20.0; 200.0 |]
    let ours = flow s { AlphaN = 1.0; AlphaP = None } 4 times
    let theirs = RrsTheory.flow s (Depth.Finite 4) times

    Array.iter2
        (fun (a: TwoPoint.FlowPoint) (b: IsoFlow.FlowPoint) ->
            if b.Gamma > 0.0 then
                relClose 1e-7 b.Gamma a.Gamma
                relClose 1e-7 b.Loss a.Loss)
        ours
        theirs

/// At γ = 0 the flow starts at rate α_N tr Λ²Ω (E M = α_N Λ) and settles where ∂ℒ/∂γ = 0.
[<Fact>]
let ``flow starts at the projected rate and settles at a stationary point`` () =
    let s = powerLaw 100
    let b = { AlphaN = 0.5; AlphaP = Some 2.0 }
    let k = flowKernel derived s b 4 DefaultTolerance
    let early = flowOn k 4 [| 1e-6 |]

    let rate0 =
        0.5 * (Array.map2 (fun l w -> w * l * l) s.Lambda s.Omega |> Array.average)

    relClose 1e-4 (rate0 * 1e-6) early[0].Gamma
    let late = flowOn k 4 [| 1e9 |]
    let slope = (slopeFrom k late[0].Gamma 4).Loss
    Assert.True(abs slope <= 1e-9, sprintf "slope %g at γ = %g" slope late[0].Gamma)

/// Gaussian map, L = 1: the same free-cumulant formula with tr B = α_N E μ² = α_N(1 + α_N) and
/// tr B² = α_N E μ⁴ = α_N(1 + 6α_N + 6α_N² + α_N³) (Marchenko–Pastur moments of AAᵀ, ratio N/D).
[<Theory>]
[<InlineData(0.5, 1.0)>]
[<InlineData(0.25, 0.0)>]
[<InlineData(1.0, 0.5)>]
let ``Gaussian map at depth one matches the exact second moments`` (alphaN: float) (inverseAlphaP: float) =
    let s = powerLaw 150
    let b1 = alphaN * (1.0 + alphaN)
    let b2 = alphaN * (1.0 + 6.0 * alphaN + 6.0 * alphaN ** 2.0 + alphaN ** 3.0)

    let k =
        kernelForProjection Gaussian derived s (bottleneck alphaN inverseAlphaP) [ 2.0, 1 ] 1e-11

    for gamma in [ 0.5; 1.0; 2.0 ] do
        relClose 1e-9 (depthOneLoss s b1 b2 inverseAlphaP gamma) (lossFrom k gamma 1).Loss

/// Gaussian map: its spectral edge is inside the free-product bound ‖B‖·x₊(Σ̂) and the loss converges
/// by node doubling at a deep, strongly amplified point.
[<Fact>]
let ``Gaussian map converges at depth sixteen`` () =
    let s = powerLaw 120
    let b = { AlphaN = 0.5; AlphaP = Some 2.0 }
    let k = kernelForProjection Gaussian derived s b [ 16.0, 16 ] 1e-10
    let struct (edgeS, _) = spectralEdge s { b with AlphaN = 1.0 }
    Assert.True(k.Edge < (1.0 + sqrt 0.5) ** 4.0 * edgeS)
    let v = lossFrom k 16.0 16
    Assert.True(v.Loss > 0.0 && v.ErrorEstimate <= 1e-10 * v.Loss, sprintf "%A" v)

/// Isotropic Λ = Ω = I: M = Π (rank N), p(M) → I − Π, so ℒ_N = 1 − α_N; with N = D, Σ̂ white Wishart of
/// rank P, p(Σ̂) → I − Σ̂⁺Σ̂, so ℒ_P = 1 − α_P.
[<Fact>]
let ``bottleneck limits are exact for isotropic data`` () =
    let s = Spectrum.ofArrays (Array.create 40 1.0) (Array.create 40 1.0)
    relClose 1e-12 0.75 (widthLimit s 0.25)
    relClose 1e-12 0.4 (contextLimit s 0.6)

/// The limits against the two-point engine itself at large depth (γ = L/x₊, so every nonzero mode of M
/// is damped like (1 − x/x₊)^{2L}): the residue formulas are a second route to the same number. The width
/// limit is reached to rounding by L = 128 (D = 30); the context limit converges more slowly (Σ̂'s smallest
/// nonzero eigenvalues sit near the lower Marchenko–Pastur edge) and is checked by its convergence.
[<Fact>]
let ``bottleneck limits match the two-point loss at large depth`` () =
    let s = powerLaw 30

    let at (b: Bottleneck) depth =
        let edge = (kernelFor derived s b [ 1.0, 1 ] 1e-6).Edge
        (lossWith derived s b (float depth / edge) depth 1e-10).Loss

    let width = { AlphaN = 0.25; AlphaP = None }
    relClose 1e-10 (widthLimit s 0.25) (at width 128)
    let context = { AlphaN = 1.0; AlphaP = Some 0.5 }
    let limit = contextLimit s 0.5
    let gap128 = abs (at context 128 - limit) / limit
    let gap256 = abs (at context 256 - limit) / limit
    Assert.True(gap256 < 0.01 && gap256 < gap128 / 3.0, sprintf "gaps %g (L = 128), %g (L = 256)" gap128 gap256)
