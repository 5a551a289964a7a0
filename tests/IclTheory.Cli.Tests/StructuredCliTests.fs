/// `icl flow --setting fs|rrs` and `icl ood`: fields, curves against closed forms, bad input.
module IclTheory.Cli.Tests.StructuredCliTests

open System
open System.IO
open System.Text.Json
open Xunit
open IclTheory.Cli.Tests.CliRunner

let private curve (e: JsonElement) =
    e.GetProperty("curve").EnumerateArray() |> Array.ofSeq

[<Fact>]
let ``flow fs at L = 1 prints the closed form of Eq. 10 for the leading mode and the loss of Eq. 84`` () =
    let code, out, _ =
        icl
            [
                "flow"
                "--setting"
                "fs"
                "--depth"
                "1"
                "--modes"
                "3"
                "--t-max"
                "10"
                "--points"
                "4"
                "--format"
                "json"
            ]

    Assert.Equal(0, code)
    let rows = curve (json out)
    Assert.Equal(4, rows.Length)
    // Mode k: λ = k⁻¹, ω = k⁻¹ (ν = β = 1), Eq. 10 at L = 1: 1 − λγ = exp(−ωλ³t).
    let lam k = 1.0 / float k

    for r in rows do
        let t = r.GetProperty("t").GetDouble()

        let gammaOf k =
            (1.0 - exp (-(pown (lam k) 4) * t)) / lam k

        Assert.Equal(gammaOf 1, r.GetProperty("gamma_1").GetDouble(), 12)
        Assert.Equal(gammaOf 3, r.GetProperty("gamma_3").GetDouble(), 12)

        let loss =
            [ 1..3 ]
            |> List.sumBy (fun k -> pown (lam k) 2 * exp (-2.0 * pown (lam k) 4 * t))

        Assert.Equal(loss / 3.0, r.GetProperty("loss").GetDouble(), 12)

[<Fact>]
let ``flow rrs at L = infinity with one mode follows the closed form of Eq. 13`` () =
    // One mode λ = ω = 1: dγ/dt = e^{−2γ} so γ(t) = ½ ln(1 + 2t), ℒ = e^{−2γ} = 1/(1 + 2t).
    let code, out, _ =
        icl
            [
                "flow"
                "--setting"
                "rrs"
                "--depth"
                "inf"
                "--modes"
                "1"
                "--t-max"
                "1000"
                "--format"
                "json"
            ]

    Assert.Equal(0, code)

    for r in curve (json out) do
        let t = r.GetProperty("t").GetDouble()
        Assert.Equal(0.5 * log (1.0 + 2.0 * t), r.GetProperty("gamma").GetDouble(), 8)
        Assert.Equal(1.0 / (1.0 + 2.0 * t), r.GetProperty("loss").GetDouble(), 8)

[<Fact>]
let ``flow reads a user spectrum from CSV`` () =
    let file =
        Path.Combine(Path.GetTempPath(), "icl-spectrum-" + Guid.NewGuid().ToString("N") + ".csv")

    File.WriteAllText(file, "lambda,omega\n1,1\n")

    try
        let code, out, _ =
            icl
                [
                    "flow"
                    "--setting"
                    "rrs"
                    "--depth"
                    "inf"
                    "--spectrum"
                    file
                    "--t-max"
                    "10"
                    "--format"
                    "json"
                ]

        Assert.Equal(0, code)
        let last = curve (json out) |> Array.last
        Assert.Equal(1.0 / 21.0, last.GetProperty("loss").GetDouble(), 8)
    finally
        File.Delete file

[<Fact>]
let ``ood is zero at theta = 0 and grows with theta and depth`` () =
    let code, out, _ =
        icl
            [
                "ood"
                "--modes"
                "8"
                "--depths"
                "1"
                "4"
                "--points"
                "5"
                "--format"
                "json"
            ]

    Assert.Equal(0, code)
    let rows = curve (json out)
    Assert.Equal(0.0, rows[0].GetProperty("loss_L1").GetDouble(), 12)
    let l1 = rows |> Array.map (fun r -> r.GetProperty("loss_L1").GetDouble())
    let l4 = rows |> Array.map (fun r -> r.GetProperty("loss_L4").GetDouble())
    Assert.True(Array.pairwise l1 |> Array.forall (fun (a, b) -> b > a))
    Assert.True(l4[4] > l1[4])

[<Theory>]
[<InlineData("flow|--setting|fs|--depth|4|--nu|0", "nu")>]
[<InlineData("flow|--setting|rrs|--depth|4|--modes|0", "modes")>]
[<InlineData("flow|--setting|fs|--depth|4|--alpha|2", "alpha")>]
[<InlineData("flow|--setting|fs|--depth|4|--convention|eq7", "convention")>]
[<InlineData("flow|--setting|rrs|--depth|2|--spectrum|/nonexistent/spectrum.csv", "spectrum")>]
[<InlineData("flow|--setting|rrs|--depth|2|--t-min|5|--t-max|1", "t-min")>]
[<InlineData("ood|--modes|1", "modes")>]
[<InlineData("ood|--theta-max|-1", "theta-max")>]
[<InlineData("ood|--depths|0", "depths")>]
let ``bad structured input exits 2 naming the parameter and writes nothing`` (line: string, parameter: string) =
    let dir =
        Path.Combine(Path.GetTempPath(), "icl-test-" + Guid.NewGuid().ToString("N"))

    let args = List.ofArray (line.Split '|') @ [ "--plot"; Path.Combine(dir, "plot") ]
    let code, out, err = icl args
    Assert.Equal(2, code)
    Assert.Equal("", out)
    Assert.Single(err.Trim().Split('\n')) |> ignore
    Assert.Contains(parameter, err)
    Assert.False(Directory.Exists dir)
