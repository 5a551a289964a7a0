/// The session memo of `Rational.simplify` (sums it built read back without their terms, results
/// remembered by kernels and parts, gcds, inverted kernels, one memo shared by the passes) checked
/// against normalizations that share nothing: each pass of `Rational.normalize` runs in its own
/// session, and a structural copy of an input shares no node with the original.
module IclTheory.Symbolic.Tests.SessionMemoTests

open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open IclTheory.Symbolic
open IclTheory.Symbolic.Tests.Generators

/// `Rational.normalize` iterated to its fixed point, each pass in a fresh session with a fresh
/// memo (the same pass budget as `simplify`: twelve passes after the first).
let private normalizeToFixedPoint (e: Expr) =
    let rec loop k (e: Expr) =
        let next = Rational.normalize e
        if next = e || k = 0 then next else loop (k - 1) next

    loop 12 e

/// A copy of e built node by node from its leaves: structurally equal, no node shared.
let rec private copy (e: Expr) : Expr =
    match e with
    | Number q -> Expr.number q
    | Symbol s -> Expr.symbol (System.String(s.ToCharArray()))
    | _ -> Expr.rebuild e (Expr.children e |> List.map copy)

// One fixed FsCheck seed, as in PropertyTests: deterministic CI runs.
[<Property(MaxTest = 1000, Replay = "(20251123,1442695040888963407)")>]
let ``simplify equals passes of normalize that share no session`` () =
    Prop.forAll exprArb (fun e -> Rational.simplify e = normalizeToFixedPoint e)

[<Property(MaxTest = 1000, Replay = "(20251123,1442695040888963407)")>]
let ``a canonical form met again inside a larger input normalizes to itself`` () =
    // s was built by an earlier simplify: inside (s − e) + e′ the session meets it as a foreign sum
    // (read term by term) next to e and its copy e′, whose sums this session builds itself.
    Prop.forAll exprArb (fun e ->
        let s = Rational.simplify e
        Rational.simplify (Expr.add [ Expr.subtract s e; copy e ]) = s)

/// The passes `simplifyWithin` needed for e: the smallest budget that does not raise.
let private passesNeeded (e: Expr) =
    let fits n =
        try
            Rational.simplifyWithin n e |> ignore
            true
        with NoFixedPointException _ ->
            false

    Seq.find fits (seq { 1..12 })

[<Fact>]
let ``a pass budget short of the fixed point raises naming it; the budget that suffices gives simplify's form`` () =
    let inputs = Gen.sampleWithSeed (Rnd(7UL)) 100 200 expr
    let mutable multiPass = 0

    for e in inputs do
        let needed = passesNeeded e
        Assert.Equal(Rational.simplify e, Rational.simplifyWithin needed e)

        if needed > 1 then
            multiPass <- multiPass + 1

            let message =
                try
                    Rational.simplifyWithin (needed - 1) e |> ignore
                    "no exception"
                with NoFixedPointException _ as ex ->
                    ex.Message

            Assert.Contains(sprintf "no fixed point of rational normalization after %d passes" (needed - 1), message)

    // coverage guard: the raising path must be exercised on a good share of the sample (95 of 200 here)
    Assert.True(multiPass > 50, sprintf "%d of %d inputs took more than one pass" multiPass inputs.Length)

[<Fact>]
let ``a pass budget below one is refused naming it`` () =
    let ex =
        Assert.Throws<System.ArgumentException>(fun () -> Rational.simplifyWithin 0 (Expr.symbol "x") |> ignore)

    Assert.Equal("passes", ex.ParamName)
