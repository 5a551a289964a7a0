/// Figure 4 at finite width (`icl reproduce`, `figure4-width`) at a tiny size: the trained dots of
/// panel (c) against the two-point flow, with a tolerance from the run-to-run SE, the Euler map of η
/// and the measured finite-size gap; bad sizes name the parameter.
module IclTheory.Cli.Tests.Figure4WidthTests

open Xunit
open IclTheory.Solver
open IclTheory.Derivations
open IclTheory.Cli
open IclTheory.Cli.Plots
open IclTheory.Cli.ReproduceWidth

let private tiny =
    { quickSize with
        TrainDim = 32
        Seeds = 4
        Steps = 400
        EvalContexts = 1024
        LogPoints = 5
        Depths = [ 1; 4 ]
    }

let private dotsOf (p: Panel) (depth: int) =
    p.Dots |> List.find (fun d -> d.Label = sprintf "trained, L = %d" depth)

/// The engine at the panel's training size: the flow's loss and the loss of online SGD's mean path (the
/// Euler map of dγ/dt = −½ ∂ℒ/∂γ with step η) at every logged time of the dots.
let private engineAt (size: Figure4WidthSize) (depth: int) (times: float[]) =
    let d = size.TrainDim
    let s = Spectrum.powerLaw 1.0 1.0 d

    let k =
        ScalingLaw.kernelForDepths s (TwoPointClaims.halfWidthDoubleContext d) size.Depths 1e-10

    let rate g =
        -0.5 * (TwoPoint.slopeFrom k g depth).Loss

    let steps = times |> Array.map (fun t -> int (round (t / size.Lr)))
    let euler = StructuredSimClaims.eulerMap rate size.Lr steps
    let flow = TwoPoint.flowOn k depth times |> Array.map (fun p -> p.Loss)
    let eulerLoss = euler |> Array.map (fun g -> (TwoPoint.lossFrom k g depth).Loss)
    flow, eulerLoss

/// The relative finite-size gap of a trained floor against the deterministic equivalent, measured with this
/// panel's settings (L = 1, t = 200 and 1000, four to six runs): 10.6% at D = 16, 7.8% at D = 24, 6.0% at
/// D = 32, i.e. about 1.8/D; the allowance is 2/D of the flow's loss.
let private finiteSizeAllowance (dim: int) (loss: float) = 2.0 / float dim * loss

[<Fact>]
let ``figure 4 at finite width: trained losses follow the two-point flow within SE, Euler and finite-size allowances``
    ()
    =
    let panel = training tiny 7UL (fun _ _ -> ())

    for l in tiny.Depths do
        let dots = dotsOf panel l
        let flow, euler = engineAt tiny l dots.X

        for i in 0 .. dots.X.Length - 1 do
            let tolerance =
                3.0 * dots.Se[i]
                + abs (euler[i] - flow[i])
                + finiteSizeAllowance tiny.TrainDim flow[i]

            Assert.True(
                abs (dots.Y[i] - flow[i]) <= tolerance,
                sprintf
                    "L = %d, t = %g: trained %.5f ± %.5f, flow %.5f, tolerance %.5f"
                    l
                    dots.X[i]
                    dots.Y[i]
                    dots.Se[i]
                    flow[i]
                    tolerance
            )

        let last = dots.Y[dots.Y.Length - 1]
        Assert.True(last < 0.6 * dots.Y[0], sprintf "L = %d: the trained loss %.5f did not fall" l last)

[<Fact>]
let ``figure 4 at finite width: a training size below the minimum names the parameter`` () =
    let e =
        Assert.Throws<InvalidParameterException>(fun () -> figure4Width { tiny with TrainDim = 1 } 1UL |> ignore)

    Assert.Contains("train-dim", e.Message)

[<Fact>]
let ``figure 4 at finite width: panel (b) lines are the engine's loss at the plotted steps`` () =
    let p =
        landscape
            { tiny with
                LandscapeDim = 16
                McSamples = 4
            }
            3UL

    let s = Spectrum.powerLaw 1.0 1.0 16
    let b = TwoPointClaims.halfWidthDoubleContext 16

    for l in tiny.Depths do
        let line = p.Lines |> List.find (fun x -> x.Label = sprintf "L = %d" l)
        let i = line.X.Length / 2
        let direct = (TwoPoint.loss s b (line.X[i] * float l) l).Loss
        Assert.Equal(direct, line.Y[i], 8)
