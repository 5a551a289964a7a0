/// Spectra of the structured settings (FS, Section 3.2; RRS, Section 3.3): the data covariance
/// eigenvalues λ_k and the task-covariance eigenvalues ω_k in a shared eigenbasis, k = 1..M.
/// Traces are normalized, tr X = (1/M) Σ_k, as the 1/D of Eq. 87.
module IclTheory.Solver.Spectrum

open System
open System.Globalization

/// Eigenvalues λ_k of Σ (Lambda) and ω_k of Ω (Omega), of one length M ≥ 1, all finite and > 0.
type Spectrum = { Lambda: float[]; Omega: float[] }

/// The largest number of modes `powerLaw` builds.
[<Literal>]
let MaxModes = 10_000_000

/// Source/capacity power law (Eq. 17 and 88): λ_k = k^(-ν), ω_k = k^(-νβ-1)/λ_k, so that
/// ω_kλ_k = k^(-νβ-1); k = 1..modes, not normalized.
let powerLaw (nu: float) (beta: float) (modes: int) : Spectrum =
    Validate.positive "nu" nu
    Validate.positive "beta" beta

    if modes < 1 || modes > MaxModes then
        raise (InvalidParameterException("modes", string modes, sprintf "an integer in [1, %d]" MaxModes))

    let lambda = Array.init modes (fun i -> float (i + 1) ** -nu)

    let omega =
        Array.init modes (fun i -> float (i + 1) ** (-nu * beta - 1.0) / lambda[i])

    { Lambda = lambda; Omega = omega }

let private checkEntries (name: string) (values: float[]) =
    values
    |> Array.iteri (fun i v ->
        if not (Double.IsFinite v) || v <= 0.0 then
            raise (
                InvalidParameterException(
                    sprintf "%s[%d]" name i,
                    v.ToString("R", CultureInfo.InvariantCulture),
                    "a finite number > 0"
                )
            ))

/// A user spectrum from arrays λ_k and ω_k: same length ≥ 1, every entry finite and > 0;
/// errors name "lambda" or "omega" and the index.
let ofArrays (lambda: float[]) (omega: float[]) : Spectrum =
    if isNull lambda || lambda.Length = 0 then
        raise (InvalidParameterException("lambda", "an empty array", "at least one eigenvalue"))

    if isNull omega || omega.Length <> lambda.Length then
        let length = if isNull omega then 0 else omega.Length

        raise (
            InvalidParameterException(
                "omega",
                sprintf "an array of length %d" length,
                sprintf "the length of lambda, %d" lambda.Length
            )
        )

    checkEntries "lambda" lambda
    checkEntries "omega" omega

    {
        Lambda = Array.copy lambda
        Omega = Array.copy omega
    }

let private csvError (line: int) (text: string) (allowed: string) =
    InvalidParameterException(sprintf "csv line %d" line, sprintf "\"%s\"" text, allowed)

let private parseField (line: int) (raw: string) (field: string) =
    match Double.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, v when Double.IsFinite v && v > 0.0 -> Some v
    | true, _ -> raise (csvError line raw (sprintf "%s: a finite number > 0" (field.Trim())))
    | false, _ -> None

let private isHeader (fields: string[]) =
    fields.Length = 2
    && String.Equals(fields[0].Trim(), "lambda", StringComparison.OrdinalIgnoreCase)
    && String.Equals(fields[1].Trim(), "omega", StringComparison.OrdinalIgnoreCase)

/// Parses CSV text with two columns lambda,omega: an optional header line "lambda,omega" before
/// the first row, '#' starting a comment, blank lines ignored. Errors name the 1-based line.
let parseCsv (text: string) : Spectrum =
    if isNull text then
        raise (InvalidParameterException("text", "null", "CSV text with columns lambda,omega"))

    let lambda = ResizeArray<float>()
    let omega = ResizeArray<float>()
    let lines = text.Replace("\r\n", "\n").Split('\n')

    lines
    |> Array.iteri (fun i raw ->
        let line = i + 1
        let hash = raw.IndexOf '#'
        let content = (if hash >= 0 then raw.Substring(0, hash) else raw).Trim()

        if content.Length > 0 then
            let fields = content.Split(',')

            if lambda.Count = 0 && isHeader fields then
                ()
            elif fields.Length <> 2 then
                raise (csvError line raw "two comma-separated fields lambda,omega")
            else
                match parseField line raw fields[0], parseField line raw fields[1] with
                | Some l, Some o ->
                    lambda.Add l
                    omega.Add o
                | _ -> raise (csvError line raw "two numbers lambda,omega (or the header lambda,omega first)"))

    if lambda.Count = 0 then
        raise (InvalidParameterException("text", "no data rows", "at least one row lambda,omega"))

    {
        Lambda = lambda.ToArray()
        Omega = omega.ToArray()
    }

/// The number of modes M.
let modes (s: Spectrum) = s.Lambda.Length

/// True when λ_1 ≥ λ_2 ≥ … ≥ λ_M.
let isSortedDescending (s: Spectrum) =
    s.Lambda |> Array.pairwise |> Array.forall (fun (a, b) -> a >= b)

/// The normalized trace (1/M) Σ_k f(λ_k, ω_k) (the 1/D of Eq. 87).
let normalizedTrace (s: Spectrum) (f: float -> float -> float) =
    let mutable acc = 0.0

    for k in 0 .. s.Lambda.Length - 1 do
        acc <- acc + f s.Lambda[k] s.Omega[k]

    acc / float s.Lambda.Length
