namespace IclTheory.Symbolic

open System

/// Why an expression has no numeric value.
type EvaluationError =
    /// A symbol has no value in the map.
    | MissingSymbol of name: string
    /// The expression is Undefined or ComplexInfinity.
    | NotANumber of Expr

    override e.ToString() =
        match e with
        | MissingSymbol name -> sprintf "no value given for the symbol '%s'" name
        | NotANumber x -> sprintf "the expression %O has no numeric value" x

exception EvaluationException of EvaluationError

/// Numeric evaluation with a symbol → float map. Non-finite results (x^(1/2) at x < 0, ln 0)
/// are returned as NaN or ±∞, as IEEE arithmetic gives them.
module Evaluate =

    let rec private eval (values: Map<string, float>) (e: Expr) : Result<float, EvaluationError> =
        let all xs =
            xs
            |> List.fold
                (fun acc x ->
                    match acc, eval values x with
                    | Ok vs, Ok v -> Ok(vs @ [ v ])
                    | (Error _ as err), _ -> err
                    | _, Error err -> Error err)
                (Ok [])

        match e with
        | Number q -> Ok(q.ToFloat())
        | Symbol s ->
            match values.TryFind s with
            | Some v -> Ok v
            | None -> Error(MissingSymbol s)
        | Sum xs -> all xs |> Result.map List.sum
        | Product xs -> all xs |> Result.map (List.fold (*) 1.0)
        | Power(b, x) ->
            Result.bind (fun vb -> eval values x |> Result.map (fun vx -> Math.Pow(vb, vx))) (eval values b)
        | Ln x -> eval values x |> Result.map Math.Log
        | Exp x -> eval values x |> Result.map Math.Exp
        | Undefined
        | ComplexInfinity -> Error(NotANumber e)

    /// The value, or a typed error naming the missing symbol.
    let tryEvaluate (values: Map<string, float>) (e: Expr) : Result<float, EvaluationError> = eval values e

    /// The value; raises EvaluationException naming the missing symbol.
    let evaluate (values: Map<string, float>) (e: Expr) : float =
        match eval values e with
        | Ok v -> v
        | Error err -> raise (EvaluationException err)

    /// |a − b| ≤ tolerance·max(|a|, |b|, floor): relative, with an absolute floor near zero.
    let close (tolerance: float) (floor: float) (a: float) (b: float) =
        a = b || abs (a - b) <= tolerance * max floor (max (abs a) (abs b))

    /// Numeric probe equality: evaluate both at `probes` random points (each symbol uniform in
    /// [low, high], seeded) and compare with a relative tolerance; points where either side is
    /// non-finite are skipped, and at least half the probes must be usable.
    let probeEqual (seed: int) (probes: int) (low: float, high: float) (tolerance: float) (a: Expr) (b: Expr) =
        let rng = Random(seed)
        let names = (Expr.symbols a @ Expr.symbols b) |> List.distinct

        let outcomes =
            List.init probes (fun _ ->
                let point =
                    names
                    |> List.map (fun s -> s, low + (high - low) * rng.NextDouble())
                    |> Map.ofList

                match tryEvaluate point a, tryEvaluate point b with
                | Ok x, Ok y when Double.IsFinite x && Double.IsFinite y -> Some(close tolerance 1e-12 x y)
                | _ -> None)

        let usable = outcomes |> List.choose id
        2 * usable.Length >= probes && List.forall id usable
