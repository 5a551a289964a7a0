namespace IclTheory.Solver

open System

/// Raised when an input lies outside its allowed range. The message names the parameter,
/// the value received and the allowed range, so the CLI can print it as one line.
type InvalidParameterException(parameter: string, value: string, allowed: string) =
    inherit ArgumentException(sprintf "%s = %s is invalid: allowed %s" parameter value allowed, parameter)
    member _.Parameter = parameter
    member _.Allowed = allowed

/// Raised when an iterative method fails to converge; names the method and the parameters.
type ConvergenceException(methodName: string, details: string) =
    inherit Exception(sprintf "%s did not converge: %s" methodName details)
    member _.Method = methodName

/// Checks at the door of every public solver entry point.
module Validate =
    let private fmt (x: float) =
        x.ToString("R", Globalization.CultureInfo.InvariantCulture)

    /// A finite, strictly positive real.
    let positive (name: string) (x: float) =
        if not (Double.IsFinite x) || x <= 0.0 then
            raise (InvalidParameterException(name, fmt x, "a finite number > 0"))

    /// A finite real ≥ 0.
    let nonNegative (name: string) (x: float) =
        if not (Double.IsFinite x) || x < 0.0 then
            raise (InvalidParameterException(name, fmt x, "a finite number >= 0"))

    /// A finite real in [lo, hi].
    let inRange (name: string) (lo: float) (hi: float) (x: float) =
        if not (Double.IsFinite x) || x < lo || x > hi then
            raise (InvalidParameterException(name, fmt x, sprintf "a number in [%s, %s]" (fmt lo) (fmt hi)))

    /// A finite real (any sign).
    let finite (name: string) (x: float) =
        if not (Double.IsFinite x) then
            raise (InvalidParameterException(name, fmt x, "a finite number"))

    /// An integer ≥ lo.
    let atLeast (name: string) (lo: int) (n: int) =
        if n < lo then
            raise (InvalidParameterException(name, string n, sprintf "an integer >= %d" lo))
