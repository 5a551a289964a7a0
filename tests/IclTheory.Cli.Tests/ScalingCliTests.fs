module IclTheory.Cli.Tests.ScalingCliTests

open System
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
[<InlineData("--projection", "orthogonal", "projection")>]
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

/// The Gaussian map at L = 1 is quadratic in B: trΩΛ − 2γ tr B trΩΛ² + γ²(...) with the MP moments
/// of AAᵀ; at P → ∞ and ν = β = 1 the γ² bracket is b₁² trΩΛ³ + (b₂ − b₁²) trΛ trΩΛ².
[<Fact>]
let ``loss rrs with a gaussian map prints the depth-one closed form`` () =
    let code, out, _ =
        icl
            [
                "loss"
                "--setting"
                "rrs"
                "--dim"
                "60"
                "--width"
                "30"
                "--depth"
                "1"
                "--gamma"
                "1"
                "--projection"
                "gaussian"
                "--format"
                "json"
            ]

    Assert.Equal(0, code)
    let j = json out
    Assert.Equal("gaussian", j.GetProperty("projection").GetString())
    let modes = [| 1..60 |] |> Array.map (fun k -> 1.0 / float k, float k ** -2.0)
    let tr f = modes |> Array.averageBy f
    let an = 0.5
    let b1 = an * (1.0 + an)
    let b2 = an * (1.0 + 6.0 * an + 6.0 * an * an + an * an * an)

    let wl, wl2, wl3 =
        tr snd, tr (fun (l, wl) -> wl * l), tr (fun (l, wl) -> wl * l * l)

    let l1 = tr fst
    let expected = wl - 2.0 * b1 * wl2 + b1 * b1 * wl3 + (b2 - b1 * b1) * l1 * wl2
    let loss = j.GetProperty("loss").GetDouble()
    Assert.InRange(loss, expected * (1.0 - 1e-9), expected * (1.0 + 1e-9))

/// γ²/L = 4096 at the tightest tolerance needs more than the 1024-node cap (512 nodes suffice at
/// 1e-10): the contour integral must say so with its parameters, exit 3, and print no loss.
[<Fact>]
let ``an unconverged contour integral exits 3 naming the parameters, with no loss printed`` () =
    let args tolerance =
        [
            "loss"
            "--setting"
            "rrs"
            "--dim"
            "200"
            "--width"
            "60"
            "--context"
            "200"
            "--depth"
            "64"
            "--gamma"
            "512"
            "--tolerance"
            tolerance
            "--format"
            "json"
        ]

    let code, out, err = icl (args "1e-14")
    Assert.Equal(3, code)
    Assert.Equal("", out)

    for part in
        [
            "contour integral (Eq. 103) did not converge"
            "D = 200, α_N = 0.3, α_P = 1"
            "(γ = 512, L = 64)"
            "1E-14 relative with 1024 nodes"
        ] do
        Assert.Contains(part, err)

    let code10, out10, _ = icl (args "1e-10")
    Assert.Equal(0, code10)
    Assert.True(Double.IsFinite((json out10).GetProperty("loss").GetDouble()))
