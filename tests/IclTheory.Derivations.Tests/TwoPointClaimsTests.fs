/// Result 7's nodes run end to end in quick mode: the engine agrees with the exact finite-size Monte
/// Carlo and with its limits, and the printed forms that the reductions rule out (Eq. 15's outer
/// resolvents, the Ψ_χχ sentence after Eq. 39, Eq. 16's sign and Eq. 105's Ψ_vχ) are reported as errata.
module IclTheory.Derivations.Tests.TwoPointClaimsTests

open Xunit
open IclTheory.Derivations

let private settings =
    {
        Quick = true
        Seed = 2025UL
        Report = ignore
    }

let private verdictOf (c: Claim) =
    let o = c.Check settings
    Compare.combine o.Comparisons, o

[<Fact>]
let ``the engine agrees with the Monte-Carlo and Eq. 15 as printed does not`` () =
    for c in [ TwoPointClaims.monteCarlo; TwoPointClaims.monteCarloGaussian ] do
        let engine, o = verdictOf c
        Assert.True((engine = Agrees), sprintf "%s: %s" c.Id o.Summary)

    let printed, o15 = verdictOf TwoPointClaims.eq15Resolvents
    Assert.True((printed = Disagrees), o15.Summary)

[<Fact>]
let ``exact reductions rule out the printed Ψ_χχ, Eq. 16's sign and Eq. 105's Ψ_vχ`` () =
    for c in [ TwoPointClaims.chiChi; TwoPointClaims.productEquation ] do
        let v, o = verdictOf c
        Assert.True((v = Disagrees), sprintf "%s: %A (%s)" c.Id v o.Summary)

    let v, o = verdictOf TwoPointClaims.limits
    Assert.True((v = Agrees), o.Summary)

[<Fact>]
let ``trained models behind a rank-N feature map follow the engine's flow`` () =
    let v, o = verdictOf TwoPointClaims.projectedTraining
    Assert.True((v = Agrees), sprintf "%A: %A" o.Summary (o.Comparisons |> List.map (fun r -> r.Note)))

/// Result 8's node: the joint fit of Eq. 18 misses the symbolic exponents under either learning
/// rate (a structural misfit, RMS log residual > 0.1), the printed η = 1 has no interior
/// frontier, and η = (D/N)² has one with a slope below ν = 1.
[<Fact>]
let ``the joint Chinchilla fit and the frontier are reported with both learning rates`` () =
    let v, o = verdictOf ChinchillaClaims.chinchilla
    Assert.True((v = Disagrees), o.Summary)
    Assert.Equal(8, o.Comparisons.Length)

    let frontier =
        o.Comparisons |> List.filter (fun c -> c.Quantity.StartsWith "d ln L*/d ln N*")

    Assert.Equal(2, frontier.Length)
    Assert.True(frontier[0].Theory.IsNone, frontier[0].Note)
    let slope = frontier[1].Theory.Value
    Assert.InRange(slope, 0.6, 1.0)

/// A printed value agrees with an interval estimate exactly when it lies inside [low, high].
[<Fact>]
let ``printed value against an interval`` () =
    let row printed =
        Compare.printedInInterval "a" printed 1.1 0.9 1.3 "test"

    Assert.Equal(Agrees, (row 1.0).Verdict)
    Assert.Equal(Agrees, (row 1.3).Verdict)
    Assert.Equal(Disagrees, (row 0.8).Verdict)
    Assert.Contains("outside", (row 1.31).Note)
