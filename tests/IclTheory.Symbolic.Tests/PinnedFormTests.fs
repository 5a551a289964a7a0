module IclTheory.Symbolic.Tests.PinnedFormTests

open System
open System.IO
open Xunit
open IclTheory.Symbolic

/// Rows of CanonicalPins.tsv: name, input, and the printed canonical form of `Rational.simplify`
/// recorded before the simplifier was optimized (commit aba2137). The inputs are the benchmark's
/// rational sums, its paper exponent, seeded random 180–220-node expressions of the benchmark
/// generator, and 600 smaller expressions of the same generator (seeds 1000–1099).
let private pins =
    File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "CanonicalPins.tsv"))
    |> Array.map (fun line ->
        match line.Split '\t' with
        | [| name; input; expected |] -> name, input, expected
        | _ -> invalidArg "line" (sprintf "CanonicalPins.tsv: expected 3 tab-separated fields in %s" line))

[<Fact>]
let ``the pinned table holds the benchmark cases and the small random sample`` () =
    Assert.Equal(612, pins.Length)
    Assert.Contains(pins, (fun (name, _, _) -> name = "r20251123"))

[<Fact>]
let ``simplify reproduces every pinned canonical form exactly`` () =
    let mismatches =
        pins
        |> Array.filter (fun (_, input, expected) -> Print.plain (Rational.simplify (Parser.parse input)) <> expected)
        |> Array.map (fun (name, _, _) -> name)

    Assert.Empty(mismatches)

[<Fact>]
let ``the pinned inputs survive printing and parsing unchanged`` () =
    for _, input, _ in pins do
        Assert.Equal(input, Print.plain (Parser.parse input))
