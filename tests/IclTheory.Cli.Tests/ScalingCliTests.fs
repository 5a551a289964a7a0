module IclTheory.Cli.Tests.ScalingCliTests

open Xunit
open IclTheory.Cli.Tests.CliRunner

/// N = D, P = ∞ is Eq. 98: (1/D) Σ ω_kλ_k (1 − γλ_k/L)^(2L) on the power law, computed here.
[<Fact>]
let ``loss rrs without bottlenecks prints Eq. 98 with its error estimate`` () =
    let code, out, _ =
        icl
            [
                "loss"
                "--setting"
                "rrs"
                "--dim"
                "50"
                "--depth"
                "4"
                "--gamma"
                "3"
                "--format"
                "json"
            ]

    Assert.Equal(0, code)
    let j = json out

    let expected =
        Seq.averageBy
            (fun k ->
                let l = 1.0 / float k
                let w = (float k ** -2.0) / l
                w * l * (1.0 - 3.0 * l / 4.0) ** 8.0)
            (seq { 1..50 })

    let loss = j.GetProperty("loss").GetDouble()
    Assert.InRange(loss, expected * (1.0 - 1e-9), expected * (1.0 + 1e-9))
    Assert.True(j.GetProperty("error_estimate").GetDouble() <= 1e-10 * loss)
    Assert.Equal(50, j.GetProperty("width").GetInt32())
    Assert.Equal("inf", j.GetProperty("context").GetString())

[<Fact>]
let ``loss rrs with width and context lies above the unbottlenecked loss`` () =
    let run extra =
        let code, out, _ =
            icl (
                [
                    "loss"
                    "--setting"
                    "rrs"
                    "--dim"
                    "80"
                    "--depth"
                    "4"
                    "--gamma"
                    "4"
                    "--format"
                    "json"
                ]
                @ extra
            )

        Assert.Equal(0, code)
        (json out).GetProperty("loss").GetDouble()

    let free = run []
    let narrow = run [ "--width"; "40" ]
    let both = run [ "--width"; "40"; "--context"; "80" ]
    Assert.True(free < narrow && narrow < both, sprintf "%g < %g < %g expected" free narrow both)

[<Theory>]
[<InlineData("--width", "81", "width")>]
[<InlineData("--context", "0", "context")>]
[<InlineData("--projection", "gaussian", "projection")>]
[<InlineData("--gamma", "-1", "gamma")>]
[<InlineData("--alpha", "2", "alpha")>]
let ``loss rrs refuses bad input naming the parameter`` (flag: string) (value: string) (name: string) =
    let gamma = if flag = "--gamma" then value else "4"
    let extra = if flag = "--gamma" then [] else [ flag; value ]

    let args =
        [ "loss"; "--setting"; "rrs"; "--dim"; "80"; "--depth"; "4"; "--gamma"; gamma ]
        @ extra

    let code, out, err = icl args
    Assert.Equal(2, code)
    Assert.Equal("", out)
    Assert.Contains(name, err)
