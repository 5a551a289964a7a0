/// Explicit embedded Runge–Kutta integration of y' = f(t, y). The problem (data), the
/// algorithm (a Butcher tableau) and the options are separate values and one generic loop,
/// `solve`, integrates any of them. Misuse is refused at setup (InvalidParameterException);
/// failure during the run is a return code in the solution, never an exception mid-loop.
module IclTheory.Solver.Ode

open System

/// The initial-value problem y' = Rhs t y, y(T0) = Y0.
type Problem =
    {
        Rhs: float -> float[] -> float[]
        T0: float
        Y0: float[]
    }

/// An explicit embedded pair: stages C, A (lower triangular, row i has i entries),
/// propagated weights B (order `Order`) and error weights BError = B - B̂ (order `Order - 1`).
/// FirstSameAsLast: the last stage is f at the new point, reused as the next first stage.
type EmbeddedTableau =
    {
        Name: string
        Order: int
        C: float[]
        A: float[][]
        B: float[]
        BError: float[]
        FirstSameAsLast: bool
    }

/// Error control: a step is accepted when the RMS of e_i / (AbsTol + RelTol·|y_i|) is ≤ 1.
/// FixedStep = Some h turns error control off (used for convergence-order tests).
type Options =
    {
        RelTol: float
        AbsTol: float
        MaxSteps: int
        FixedStep: float option
    }

/// How a run ended.
type ReturnCode =
    /// Every requested time was reached.
    | Success
    /// More than Options.MaxSteps steps were needed.
    | MaxIters
    /// The controller asked for a step below the floating-point resolution of t.
    | StepTooSmall
    /// The state or the error estimate stopped being finite.
    | Unstable

/// States at the requested times reached before the run ended (all of them on Success).
type Solution =
    {
        Times: float[]
        States: float[][]
        ReturnCode: ReturnCode
        AcceptedSteps: int
        RejectedSteps: int
        Evaluations: int
    }

/// Dormand–Prince 5(4) (Dormand & Prince 1980; Hairer, Nørsett & Wanner, Table II.5.2).
let dormandPrince54: EmbeddedTableau =
    {
        Name = "DormandPrince54"
        Order = 5
        C = [| 0.0; 1.0 / 5.0; 3.0 / 10.0; 4.0 / 5.0; 8.0 / 9.0; 1.0; 1.0 |]
        A =
            [|
                [||]
                [| 1.0 / 5.0 |]
                [| 3.0 / 40.0; 9.0 / 40.0 |]
                [| 44.0 / 45.0; -56.0 / 15.0; 32.0 / 9.0 |]
                [| 19372.0 / 6561.0; -25360.0 / 2187.0; 64448.0 / 6561.0; -212.0 / 729.0 |]
                [|
                    9017.0 / 3168.0
                    -355.0 / 33.0
                    46732.0 / 5247.0
                    49.0 / 176.0
                    -5103.0 / 18656.0
                |]
                [|
                    35.0 / 384.0
                    0.0
                    500.0 / 1113.0
                    125.0 / 192.0
                    -2187.0 / 6784.0
                    11.0 / 84.0
                |]
            |]
        B =
            [|
                35.0 / 384.0
                0.0
                500.0 / 1113.0
                125.0 / 192.0
                -2187.0 / 6784.0
                11.0 / 84.0
                0.0
            |]
        BError =
            [|
                71.0 / 57600.0
                0.0
                -71.0 / 16695.0
                71.0 / 1920.0
                -17253.0 / 339200.0
                22.0 / 525.0
                -1.0 / 40.0
            |]
        FirstSameAsLast = true
    }

/// Tight defaults suited to smooth scalar flows.
let defaultOptions =
    {
        RelTol = 1e-11
        AbsTol = 1e-14
        MaxSteps = 1_000_000
        FixedStep = None
    }

let private validate (tableau: EmbeddedTableau) (options: Options) (problem: Problem) (saveAt: float[]) =
    let stages = tableau.C.Length

    if
        tableau.A.Length <> stages
        || tableau.B.Length <> stages
        || tableau.BError.Length <> stages
    then
        raise (InvalidParameterException("tableau", tableau.Name, "C, A, B and BError of one length"))

    tableau.A
    |> Array.iteri (fun i row ->
        if row.Length <> i then
            raise (InvalidParameterException("tableau", tableau.Name, "a strictly lower-triangular A")))

    Validate.positive "relTol" options.RelTol
    Validate.positive "absTol" options.AbsTol
    Validate.atLeast "maxSteps" 1 options.MaxSteps
    options.FixedStep |> Option.iter (Validate.positive "fixedStep")
    Validate.finite "t0" problem.T0

    if problem.Y0.Length = 0 then
        raise (InvalidParameterException("y0", "[||]", "a non-empty state"))

    problem.Y0 |> Array.iter (Validate.finite "y0")

    saveAt
    |> Array.iteri (fun i t ->
        Validate.finite "saveAt" t

        if t < problem.T0 || (i > 0 && t < saveAt[i - 1]) then
            raise (InvalidParameterException("saveAt", string t, "nondecreasing times >= t0")))

/// RMS of e_i / (absTol + relTol·max(|y_i|, |z_i|)).
let private errorNorm (options: Options) (e: float[]) (y: float[]) (z: float[]) =
    let mutable acc = 0.0

    for i in 0 .. e.Length - 1 do
        let scale = options.AbsTol + options.RelTol * max (abs y[i]) (abs z[i])
        let r = e[i] / scale
        acc <- acc + r * r

    sqrt (acc / float e.Length)

let private isFinite (v: float[]) = v |> Array.forall Double.IsFinite

/// Hairer–Wanner starting step (Solving ODEs I, II.4): balances ‖y0‖/‖f0‖ against the
/// local curvature so that the first step is neither wasted nor rejected repeatedly.
let private initialStep (tableau: EmbeddedTableau) (options: Options) (problem: Problem) (f0: float[]) =
    let zero = Array.zeroCreate problem.Y0.Length
    let d0 = errorNorm options problem.Y0 problem.Y0 zero
    let d1 = errorNorm options f0 problem.Y0 zero
    let h0 = if d0 < 1e-5 || d1 < 1e-5 then 1e-6 else 0.01 * d0 / d1
    let y1 = Array.map2 (fun y f -> y + h0 * f) problem.Y0 f0
    let f1 = problem.Rhs (problem.T0 + h0) y1
    let d2 = errorNorm options (Array.map2 (-) f1 f0) problem.Y0 zero / h0
    let dMax = max d1 d2

    let h1 =
        if dMax <= 1e-15 then
            max 1e-6 (h0 * 1e-3)
        else
            (0.01 / dMax) ** (1.0 / float tableau.Order)

    min (100.0 * h0) h1

/// One step of the tableau from (t, y) with first stage k1; returns the new state, the error
/// vector and the last stage (f at the new point when FirstSameAsLast).
let private step (tableau: EmbeddedTableau) (rhs: float -> float[] -> float[]) t (y: float[]) (k1: float[]) h =
    let stages = tableau.C.Length
    let n = y.Length
    let k = Array.zeroCreate<float[]> stages
    k[0] <- k1

    for s in 1 .. stages - 1 do
        let ys = Array.copy y

        for j in 0 .. s - 1 do
            let a = tableau.A[s][j]

            if a <> 0.0 then
                for i in 0 .. n - 1 do
                    ys[i] <- ys[i] + h * a * k[j][i]

        k[s] <- rhs (t + tableau.C[s] * h) ys

    let yNew = Array.copy y
    let err = Array.zeroCreate n

    for s in 0 .. stages - 1 do
        for i in 0 .. n - 1 do
            yNew[i] <- yNew[i] + h * tableau.B[s] * k[s][i]
            err[i] <- err[i] + h * tableau.BError[s] * k[s][i]

    yNew, err, k[stages - 1]

/// Integrates `problem` with `tableau` and `options`, recording the state at each time of
/// `saveAt` (nondecreasing, ≥ T0); steps are shortened to land on those times exactly.
/// Step control: h ← h·min(5, max(0.2, 0.9·err^(-1/Order))), no growth right after a reject.
let solve (tableau: EmbeddedTableau) (options: Options) (problem: Problem) (saveAt: float[]) =
    validate tableau options problem saveAt
    let stages = tableau.C.Length
    let times = ResizeArray<float>()
    let states = ResizeArray<float[]>()
    let mutable t = problem.T0
    let mutable y = Array.copy problem.Y0
    let mutable k1 = problem.Rhs t y
    let mutable evaluations = 1
    let mutable accepted = 0
    let mutable rejected = 0
    let mutable code = Success
    let mutable next = 0

    let mutable h =
        match options.FixedStep with
        | Some h -> h
        | None ->
            evaluations <- evaluations + 1
            initialStep tableau options problem k1

    let mutable stopped = not (isFinite k1)

    if stopped then
        code <- Unstable

    let mutable lastWasRejected = false

    while not stopped && next < saveAt.Length do
        if saveAt[next] <= t then
            times.Add saveAt[next]
            states.Add(Array.copy y)
            next <- next + 1
        elif accepted + rejected >= options.MaxSteps then
            code <- MaxIters
            stopped <- true
        elif h <= 16.0 * Precision.MachineEpsilon * max 1.0 (abs t) then
            code <- StepTooSmall
            stopped <- true
        else
            let target = saveAt[next]
            let hTry = if t + h >= target then target - t else h
            let yNew, err, kLast = step tableau problem.Rhs t y k1 hTry
            evaluations <- evaluations + stages - 1
            let e = errorNorm options err y yNew

            if not (isFinite yNew) || Double.IsNaN e then
                code <- Unstable
                stopped <- true
            else
                match options.FixedStep with
                | Some _ ->
                    t <- (if hTry = target - t then target else t + hTry)
                    y <- yNew
                    k1 <- if tableau.FirstSameAsLast then kLast else problem.Rhs t y
                    accepted <- accepted + 1
                | None when e <= 1.0 ->
                    let landed = hTry = target - t
                    t <- (if landed then target else t + hTry)
                    y <- yNew

                    k1 <-
                        if tableau.FirstSameAsLast then
                            kLast
                        else
                            evaluations <- evaluations + 1
                            problem.Rhs t y

                    accepted <- accepted + 1

                    let growth =
                        if e = 0.0 then
                            5.0
                        else
                            min 5.0 (max 0.2 (0.9 * e ** (-1.0 / float tableau.Order)))

                    let proposal = hTry * (if lastWasRejected then min 1.0 growth else growth)
                    h <- if landed then max h proposal else proposal
                    lastWasRejected <- false
                | None ->
                    rejected <- rejected + 1
                    h <- hTry * max 0.2 (0.9 * e ** (-1.0 / float tableau.Order))
                    lastWasRejected <- true

    {
        Times = times.ToArray()
        States = states.ToArray()
        ReturnCode = code
        AcceptedSteps = accepted
        RejectedSteps = rejected
        Evaluations = evaluations
    }
