module IclTheory.Cli.Tests.ScalingLawCliTests

open Xunit
open IclTheory.Cli.Tests.CliRunner

let private small =
    [ "scaling-law"; "--dim"; "256"; "--max-depth"; "4"; "--bootstrap"; "20" ]

/// A small run prints the grid sizes, three exponents with intervals next to the symbolic values
/// a_t = β/(2+β), a_N = νβ, a_L = β at ν = β = 1, and the frontier slope next to ν.
[<Fact>]
let ``scaling-law json reports exponents, symbolic values and the frontier`` () =
    let code, out, err = icl (small @ [ "--format"; "json" ])
    Assert.True((code = 0), err)
    let j = json out
    Assert.Equal(256, j.GetProperty("dim").GetInt32())
    Assert.Equal("4 8 16 32 64", j.GetProperty("widths").GetString())
    Assert.Equal("1 2 4", j.GetProperty("depths").GetString())
    Assert.Equal(15, j.GetProperty("grid_curves").GetInt32())
    Assert.Equal(20, j.GetProperty("bootstrap").GetInt32())
    Assert.Equal(1.0, j.GetProperty("frontier_slope_symbolic").GetDouble())
    Assert.Equal(0.25, j.GetProperty("depth_compute_slope_symbolic").GetDouble(), 12)
    let rows = j.GetProperty("exponents").EnumerateArray() |> Array.ofSeq
    Assert.Equal<string[]>([| "t"; "N"; "L" |], rows |> Array.map (fun r -> r.GetProperty("resource").GetString()))

    let symbolic = rows |> Array.map (fun r -> r.GetProperty("symbolic").GetDouble())

    Assert.Equal(1.0 / 3.0, symbolic[0], 12)
    Assert.Equal(1.0, symbolic[1], 12)
    Assert.Equal(1.0, symbolic[2], 12)

    for r in rows do
        let low, fitted, high =
            r.GetProperty("low").GetDouble(), r.GetProperty("fitted").GetDouble(), r.GetProperty("high").GetDouble()

        Assert.True(low <= fitted && fitted <= high, sprintf "%g not in [%g, %g]" fitted low high)

        let inside =
            low <= r.GetProperty("symbolic").GetDouble()
            && r.GetProperty("symbolic").GetDouble() <= high

        Assert.Equal(inside, r.GetProperty("agrees").GetBoolean())

    let frontier = j.GetProperty("frontier").EnumerateArray() |> Array.ofSeq
    Assert.Equal(17, frontier.Length)
    Assert.Contains("scaling-law: engine grid", err)

/// Markdown carries the exponent table and the frontier sentence.
[<Fact>]
let ``scaling-law md prints the exponent table`` () =
    let code, out, _ =
        icl
            [
                "scaling-law"
                "--dim"
                "256"
                "--max-depth"
                "4"
                "--bootstrap"
                "20"
                "--format"
                "md"
            ]

    Assert.Equal(0, code)
    Assert.Contains("| resource | fitted a | interval | symbolic a | agrees |", out)
    Assert.Contains("Result 8: ν = 1", out)

/// Bad input exits 2 and names the parameter.
[<Theory>]
[<InlineData("--dim", "100", "dim")>]
[<InlineData("--bootstrap", "5", "bootstrap")>]
[<InlineData("--nu", "-1", "nu")>]
[<InlineData("--beta", "0", "beta")>]
[<InlineData("--max-depth", "2", "max-depth")>]
[<InlineData("--seed", "-3", "seed")>]
[<InlineData("--format", "xml", "format")>]
[<InlineData("--learning-rate", "adaptive", "learning-rate")>]
let ``scaling-law refuses bad input with exit 2`` (option: string) (value: string) (name: string) =
    let code, out, err = icl [ "scaling-law"; option; value ]
    Assert.Equal(2, code)
    Assert.Equal("", out)
    Assert.Contains(name, err)

/// `icl flow --setting rrs --width N`: the two-point flow at N = D reaches the depth optimum of
/// Eq. 98 (γ* and ℒ* from RrsTheory via `icl flow` without --width at long times).
[<Fact>]
let ``flow rrs with width equal to dim saturates at the Eq. 98 optimum`` () =
    let run extra =
        let code, out, err =
            icl (
                [
                    "flow"
                    "--setting"
                    "rrs"
                    "--depth"
                    "4"
                    "--t-max"
                    "1e9"
                    "--points"
                    "5"
                    "--format"
                    "json"
                ]
                @ extra
            )

        Assert.True((code = 0), err)
        json out

    let bottlenecked = run [ "--width"; "100"; "--dim"; "100" ]
    let plain = run [ "--modes"; "100" ]
    Assert.Equal(100, bottlenecked.GetProperty("width").GetInt32())
    Assert.Equal("inf", bottlenecked.GetProperty("context").GetString())

    let last (j: System.Text.Json.JsonElement) =
        Seq.last (j.GetProperty("curve").EnumerateArray())

    let a = (last bottlenecked).GetProperty("loss").GetDouble()
    let b = (last plain).GetProperty("loss").GetDouble()
    Assert.InRange(a, b * (1.0 - 1e-7), b * (1.0 + 1e-7))

    let early (j: System.Text.Json.JsonElement) =
        (Seq.item 1 (j.GetProperty("curve").EnumerateArray())).GetProperty("loss").GetDouble()

    Assert.InRange(early bottlenecked, early plain * (1.0 - 1e-6), early plain * (1.0 + 1e-6))

/// --modes with --width, --dim alone, and --width with fs are refused with exit 2.
[<Theory>]
[<InlineData("rrs", "--width 10 --modes 100", "modes")>]
[<InlineData("rrs", "--dim 100", "dim")>]
[<InlineData("rrs", "--context 0", "context")>]
[<InlineData("rrs", "--width 500 --dim 100", "width")>]
[<InlineData("rrs", "--width 10 --depth inf", "depth")>]
[<InlineData("fs", "--width 10", "width")>]
let ``flow refuses misplaced bottleneck options`` (setting: string) (extra: string) (name: string) =
    let args =
        [ "flow"; "--setting"; setting ]
        @ (if extra.Contains "--depth" then [] else [ "--depth"; "4" ])
        @ List.ofArray (extra.Split ' ')

    let code, _, err = icl args
    Assert.Equal(2, code)
    Assert.Contains(name, err)

/// With η = (D/N)² the frontier has interior optima (with η = 1 it has none: N* = D at every C,
/// theory/scaling-law.md), and the report names the learning rate.
[<Fact>]
let ``scaling-law with a width-scaled learning rate has an interior frontier`` () =
    let run rate =
        let code, out, err =
            icl (
                [ "scaling-law"; "--dim"; "512"; "--max-depth"; "16"; "--bootstrap"; "20" ]
                @ [ "--learning-rate"; rate; "--format"; "json" ]
            )

        Assert.True((code = 0), err)
        json out

    let scaled = run "width-scaled"
    let constant = run "constant"
    Assert.Equal("width-scaled", scaled.GetProperty("learning_rate").GetString())
    Assert.Equal("constant", constant.GetProperty("learning_rate").GetString())
    Assert.True(scaled.GetProperty("frontier_interior_points").GetInt32() >= 3)
    Assert.True(constant.GetProperty("frontier_width_at_max").GetBoolean())
