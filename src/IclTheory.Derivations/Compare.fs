/// Comparison rules. Each returns a row with its verdict; none of them adjusts a value.
module IclTheory.Derivations.Compare

open System

let private relGap (a: float) (b: float) = abs (a - b) / max (abs b) 1e-300

/// Formats a float for messages and tables.
let fmt (x: float) =
    if Double.IsPositiveInfinity x then
        "inf"
    elif Double.IsNegativeInfinity x then
        "-inf"
    elif x <> 0.0 && (abs x < 1e-3 || abs x >= 1e5) then
        x.ToString("0.####e+0", Globalization.CultureInfo.InvariantCulture)
    else
        x.ToString("0.######", Globalization.CultureInfo.InvariantCulture)

/// A printed closed form against the engine's value, relative tolerance `rtol`.
let printedVsTheory (quantity: string) (printed: float) (theory: float) (rtol: float) (reason: string) =
    let ok = relGap printed theory <= rtol

    {
        Quantity = quantity
        Printed = Some printed
        Theory = Some theory
        Simulation = None
        Tolerance = sprintf "relative %s (%s)" (fmt rtol) reason
        Verdict = if ok then Agrees else Disagrees
        Note =
            if ok then
                ""
            else
                sprintf
                    "printed %s vs engine %s (relative gap %s)"
                    (fmt printed)
                    (fmt theory)
                    (fmt (relGap printed theory))
    }

/// A printed value against an engine estimate with an interval [low, high] (e.g. a fitted exponent
/// with its bootstrap percentile interval): agreement when the printed value lies inside.
let printedInInterval (quantity: string) (printed: float) (theory: float) (low: float) (high: float) (reason: string) =
    let ok = low <= printed && printed <= high

    {
        Quantity = quantity
        Printed = Some printed
        Theory = Some theory
        Simulation = None
        Tolerance = sprintf "interval [%s, %s] (%s)" (fmt low) (fmt high) reason
        Verdict = if ok then Agrees else Disagrees
        Note =
            if ok then
                ""
            else
                sprintf
                    "printed %s outside the engine's interval [%s, %s] around %s"
                    (fmt printed)
                    (fmt low)
                    (fmt high)
                    (fmt theory)
    }

/// Whether `x` lies within k standard errors plus an absolute allowance of `target`.
let withinSe (k: float) (allowance: float) (target: float) (x: Estimate) =
    let se = defaultArg x.StdError 0.0
    abs (x.Value - target) <= k * se + allowance

/// The engine's value against a simulation estimate: agreement within k·SE + allowance.
/// A row of this kind certifies the engine (not the paper): its verdict is Agrees or Unverified.
let theoryVsSimulation
    (quantity: string)
    (theory: float)
    (sim: Estimate)
    (k: float)
    (allowance: float)
    (reason: string)
    =
    let ok = withinSe k allowance theory sim

    {
        Quantity = quantity
        Printed = None
        Theory = Some theory
        Simulation = Some sim
        Tolerance = sprintf "%g SE + %s (%s)" k (fmt allowance) reason
        Verdict = if ok then Agrees else Unverified
        Note =
            if ok then
                ""
            else
                sprintf
                    "engine %s vs simulation %s ± %s: engine and simulation disagree"
                    (fmt theory)
                    (fmt sim.Value)
                    (fmt (defaultArg sim.StdError 0.0))
    }

/// A printed value checked against both the engine and the simulation. The row agrees when the
/// printed value matches the simulation (k·SE + allowance); it disagrees when the simulation
/// rules it out while the engine matches the simulation; otherwise it is unverified.
let printedVsBoth
    (quantity: string)
    (printed: float)
    (theory: float)
    (sim: Estimate)
    (k: float)
    (allowance: float)
    (reason: string)
    =
    let printedOk = withinSe k allowance printed sim
    let engineOk = withinSe k allowance theory sim

    let verdict, note =
        match printedOk, engineOk with
        | true, _ -> Agrees, ""
        | false, true ->
            Disagrees,
            sprintf
                "printed %s is ruled out by the simulation %s ± %s, which matches the engine %s"
                (fmt printed)
                (fmt sim.Value)
                (fmt (defaultArg sim.StdError 0.0))
                (fmt theory)
        | false, false ->
            Unverified,
            sprintf
                "neither the printed %s nor the engine %s matches the simulation %s ± %s"
                (fmt printed)
                (fmt theory)
                (fmt sim.Value)
                (fmt (defaultArg sim.StdError 0.0))

    {
        Quantity = quantity
        Printed = Some printed
        Theory = Some theory
        Simulation = Some sim
        Tolerance = sprintf "%g SE + %s (%s)" k (fmt allowance) reason
        Verdict = verdict
        Note = note
    }

/// The verdict of a node from its rows: any unverified row makes the node unverified (its basis is
/// not sound); otherwise any disagreement makes it disagree; otherwise it agrees.
let combine (rows: Comparison list) =
    if rows.IsEmpty then
        NotChecked
    elif rows |> List.exists (fun r -> r.Verdict = Unverified) then
        Unverified
    elif rows |> List.exists (fun r -> r.Verdict = Disagrees) then
        Disagrees
    else
        Agrees

/// A node's engine is sound when no row found engine and simulation (or two methods) in conflict.
let engineSound (rows: Comparison list) =
    rows |> List.forall (fun r -> r.Verdict <> Unverified)

/// A node's outcome from its rows: the rows, whether its engine is sound, and the summary line.
let outcome (rows: Comparison list) (summary: string) =
    {
        Comparisons = rows
        EngineSound = engineSound rows
        Summary = summary
    }
