/// The ISO registry run end to end in quick mode: every node must run (no error), and the
/// verdicts that follow from closed forms must come out as derived.
module IclTheory.Derivations.Tests.IsoClaimsTests

open Xunit
open IclTheory.Derivations

let private results =
    lazy
        (Runner.run
            {
                Quick = true
                Seed = 2025UL
                Report = ignore
            }
            Catalogue.all)

let private verdictOf id =
    (results.Value |> List.find (fun r -> r.Claim.Id = id)).Verdict

[<Fact>]
let ``every ISO node runs without error in quick mode`` () =
    for r in results.Value do
        Assert.False(r.Errored, sprintf "%s: %s" r.Claim.Id r.Reason)

[<Fact>]
let ``the landscape agrees with the simulation (the engine's basis is sound)`` () =
    Assert.Equal(Agrees, verdictOf "iso-landscape")

[<Fact>]
let ``Result 1's printed L = 1 value (1 + alpha)^-2 is an erratum: Eq. 8 gives 1/(1 + alpha)`` () =
    Assert.Equal(Disagrees, verdictOf "result1-L1")

[<Fact>]
let ``Result 1's L to infinity value [1 - alpha]+ agrees`` () =
    Assert.Equal(Agrees, verdictOf "result1-Linf")

[<Fact>]
let ``SGD-trained models reach the optimum of Eq. 8 (Figure 1c)`` () = Assert.Equal(Agrees, verdictOf "fig1c")

[<Fact>]
let ``Eq. 89's printed FS time exponent is ruled out by the numerical slope of its own sum`` () =
    Assert.Equal(Disagrees, verdictOf "exp-fs-time")

[<Fact>]
let ``Eq. 95's landscape exponent and Eq. 100's depth exponent agree with the numerical slopes`` () =
    Assert.Equal(Agrees, verdictOf "exp-rrs-landscape")
    Assert.Equal(Agrees, verdictOf "exp-depth")

[<Fact>]
let ``Eq. 127's printed w exponent 5/(5 beta + 2) contradicts the derivation 1/(5 beta + 2)`` () =
    Assert.Equal(Disagrees, verdictOf "exp-full-attention-w")
