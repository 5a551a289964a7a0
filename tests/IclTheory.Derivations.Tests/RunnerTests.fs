module IclTheory.Derivations.Tests.RunnerTests

open System
open Xunit
open IclTheory.Derivations

let private settings =
    {
        Quick = true
        Seed = 1UL
        Report = ignore
    }

let private row verdict =
    {
        Quantity = "q"
        Printed = None
        Theory = Some 1.0
        Simulation = None
        Tolerance = ""
        Verdict = verdict
        Note = ""
    }

let private claim id deps (check: CheckSettings -> NodeOutcome) =
    {
        Id = id
        Title = id
        Printed = id
        Source = "test"
        Assumptions = []
        DependsOn = deps
        Check = check
    }

let private outcomeOf verdicts =
    let rows = verdicts |> List.map row

    fun (_: CheckSettings) ->
        {
            Comparisons = rows
            EngineSound = Compare.engineSound rows
            Summary = ""
        }

[<Fact>]
let ``nodes run after their dependencies`` () =
    let order = Collections.Generic.List<string>()

    let record id =
        fun s ->
            order.Add id
            outcomeOf [ Agrees ] s

    let claims =
        [
            claim "c" [ "b" ] (record "c")
            claim "b" [ "a" ] (record "b")
            claim "a" [] (record "a")
        ]

    let results = Runner.run settings claims
    Assert.Equal<string list>([ "a"; "b"; "c" ], List.ofSeq order)
    Assert.All(results, fun r -> Assert.Equal(Agrees, r.Verdict))

[<Fact>]
let ``a node whose dependency errored or was unsound is unverified, not passed`` () =
    let claims =
        [
            claim "broken" [] (fun _ -> failwith "boom")
            claim "unsound" [] (outcomeOf [ Unverified ])
            claim "erratum" [] (outcomeOf [ Disagrees ])
            claim "onBroken" [ "broken" ] (outcomeOf [ Agrees ])
            claim "onUnsound" [ "unsound" ] (outcomeOf [ Agrees ])
            claim "onErratum" [ "erratum" ] (outcomeOf [ Agrees ])
        ]

    let byId =
        Runner.run settings claims |> List.map (fun r -> r.Claim.Id, r) |> Map.ofList

    Assert.True(byId["broken"].Errored)
    Assert.Equal(NotChecked, byId["broken"].Verdict)
    Assert.Equal(Unverified, byId["onBroken"].Verdict)
    Assert.Equal(Unverified, byId["onUnsound"].Verdict)
    // A paper erratum is a finding about the paper, not a failure of the engine it rests on.
    Assert.Equal(Disagrees, byId["erratum"].Verdict)
    Assert.Equal(Agrees, byId["onErratum"].Verdict)

[<Fact>]
let ``cycles and unknown dependencies are refused`` () =
    let ok = outcomeOf [ Agrees ]

    Assert.Throws<ArgumentException>(fun () ->
        Runner.run settings [ claim "a" [ "b" ] ok; claim "b" [ "a" ] ok ] |> ignore)
    |> ignore

    Assert.Throws<ArgumentException>(fun () -> Runner.run settings [ claim "a" [ "zzz" ] ok ] |> ignore)
    |> ignore

[<Fact>]
let ``printed vs both: erratum only when the engine matches the simulation`` () =
    let sim = Estimate.WithSe(0.5, 0.01)
    Assert.Equal(Agrees, (Compare.printedVsBoth "q" 0.51 0.5 sim 3.0 0.0 "").Verdict)
    Assert.Equal(Disagrees, (Compare.printedVsBoth "q" 0.25 0.5 sim 3.0 0.0 "").Verdict)
    Assert.Equal(Unverified, (Compare.printedVsBoth "q" 0.25 0.7 sim 3.0 0.0 "").Verdict)

[<Fact>]
let ``node verdict: unverified dominates disagreement, which dominates agreement`` () =
    Assert.Equal(NotChecked, Compare.combine [])
    Assert.Equal(Agrees, Compare.combine [ row Agrees; row Agrees ])
    Assert.Equal(Disagrees, Compare.combine [ row Agrees; row Disagrees ])
    Assert.Equal(Unverified, Compare.combine [ row Disagrees; row Unverified ])

[<Fact>]
let ``Richardson extrapolation removes a 1/D bias exactly`` () =
    let truth, bias, d = 0.3, 0.8, 32.0

    let e =
        IsoClaims.extrapolate
            (Estimate.WithSe(truth + bias / d, 0.01))
            (Estimate.WithSe(truth + bias / (2.0 * d), 0.01))

    Assert.Equal(truth, e.Value, 12)
    Assert.Equal(sqrt 0.0005, e.StdError.Value, 12)

[<Fact>]
let ``the catalogue is a DAG with unique ids and known dependencies`` () =
    let ids = Catalogue.all |> List.map (fun c -> c.Id)
    Assert.Equal(ids.Length, (List.distinct ids).Length)
    Assert.Equal(ids.Length, (Runner.topologicalOrder Catalogue.all).Length)

    Assert.Throws<ArgumentException>(fun () -> Catalogue.select [ "no-such-claim" ] |> ignore)
    |> ignore

[<Fact>]
let ``the numerical slope of a pure power-law sum recovers its exponent`` () =
    // Σ k^(−3/2) (1 + k^(−1) x)^(−1) ~ x^(−1/2): crossover at k* = x, a = 3/2, b = p = 1, and
    // 1 < a < 1 + bp, so the exponent is −(a − 1)/b = −1/2.
    let s = PowerLawSums.powerLawSum 1.5 (fun k x -> 1.0 / (1.0 + x / k))
    Assert.InRange(PowerLawSums.slope s 1e3 3.0, -0.51, -0.49)
