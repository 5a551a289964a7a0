/// Default training schedules for the reduced-Γ model, shared by `icl train` and the registry.
module IclTheory.Derivations.TrainDefaults

open System
open IclTheory.Simulation

/// Logged steps: 0, then about n − 1 log-spaced steps up to `steps`, always including the last.
let logSteps (steps: int) (n: int) =
    if steps = 0 then
        [| 0 |]
    else
        Array.init (n - 1) (fun i -> int (Math.Round((float steps) ** (float i / float (max 1 (n - 2))))))
        |> Array.append [| 0 |]
        |> Array.append [| steps |]
        |> Array.distinct
        |> Array.sort

/// The largest learning rate used by default.
let maxLearningRate = 0.2

/// Default learning rate η of Eq. 62's convention (Γ ← Γ − η·(D/2)·∇ℒ̂; flow time t = Σ η).
/// Result 10's recursion is stable (a < 1 in Eq. 75) iff ηc < 2 / (1 + (1 + 1/κ)/τ), with
/// c = 1 + (1 + σ²)/α; near that bound the stationary SGD excess c·b/(1 − a) is of the order
/// of ℒ* itself (45% of the bound at α = 1, L = 1 gave 0.85 against ℒ* = 0.5 before the
/// anneal), so the default takes 15% of it, at most `maxLearningRate`, and divides by L/4 beyond
/// L = 4: at depth the optimum γ* sits near the edge of stability γλ_max/L = 2, which finite-D
/// spectra cross (λ_max of Σ̂ fluctuates above λ₊), so the fluctuations of Γ must stay smaller
/// (α = 1, L = 8, D = 32 diverged at η = 0.15).
let learningRate (task: #IRegressionTask) (batch: int) (depth: int) =
    let c = 1.0 + (1.0 + task.Sigma2) / task.Alpha
    let tau = float batch / float task.Dim
    let bound = 2.0 / (c * (1.0 + (1.0 + 1.0 / task.Kappa) / tau))
    min maxLearningRate (0.15 * bound) * min 1.0 (4.0 / float depth)

/// Default steps: flow time 80 at constant η (enough for L ≤ 16 to reach γ* from Γ = 0), then an
/// anneal of as many steps again.
let steps (lr: float) = int (ceil (160.0 / lr))

/// The last half of the steps decays η linearly to `annealFloorRatio`·η, so that the stationary
/// SGD excess (∝ η/τ, Result 10) falls below the evaluation's standard error.
let annealFraction = 0.5

/// Final learning rate as a fraction of η.
let annealFloorRatio = 0.05

/// The default learning rate of the full attention model: a quarter of the reduced-Γ default and at
/// most 1/D. The aligned scalars move the effective Γ with a step about 5γ²/w² ≈ 20w⁸ times η, which
/// grows with γ, and the direct x → label path of W_x is stable only for η < 2/D.
let attentionLearningRate (task: #IRegressionTask) (batch: int) (depth: int) =
    min (0.25 * learningRate task batch depth) (1.0 / float task.Dim)

/// Batch of contexts per step: B = D (τ = 1).
let batch (task: #IRegressionTask) = task.Dim

/// The recommended schedule for `task` at depth L, logging about `logPoints` steps.
let recommended (task: IsoTask) (depth: int) (seed: uint64) (evalContexts: int) (logPoints: int) =
    let b = batch task
    let lr = learningRate task b depth

    TrainOptions(
        task,
        depth,
        steps lr,
        b,
        lr,
        seed,
        EvalContexts = evalContexts,
        LogSteps = logSteps (steps lr) logPoints,
        AnnealFraction = annealFraction,
        AnnealFloor = annealFloorRatio * lr
    )
