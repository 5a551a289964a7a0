/// `icl simplify`: the symbolic core (IclTheory.Symbolic) on a formula typed by the user — its
/// canonical form in the three printers, and on request its derivative, its value at a point and
/// its equality with a second formula.
module IclTheory.Cli.SimplifyCommand

open System
open System.Globalization
open IclTheory.Symbolic
open IclTheory.Cli.Output

/// Parses `text` given as option `name`; an unparseable formula, or one that divides by zero or
/// takes ln 0 (it has no value anywhere), is refused naming the option and what failed.
let parseFormula (name: string) (text: string) : Expr =
    match Parser.tryParse text with
    | Error err -> Commands.bad name text (sprintf "a formula in plain text (%O)" err)
    | Ok e ->
        match e with
        | ComplexInfinity
        | Undefined -> Commands.bad name text "a formula with a value: it divides by zero or takes ln 0"
        | _ -> e

/// The point of --at: name=value pairs separated by commas, each value a finite number.
let parsePoint (text: string) : Map<string, float> =
    let pair (item: string) =
        match item.Split('=', StringSplitOptions.TrimEntries) with
        | [| symbol; value |] when symbol <> "" ->
            match Double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, v when Double.IsFinite v -> symbol, v
            | _ -> Commands.bad "at" text (sprintf "name=value pairs with finite values; '%s' is not a number" value)
        | _ -> Commands.bad "at" text (sprintf "name=value pairs separated by commas; got '%s'" item)

    text.Split(',', StringSplitOptions.TrimEntries ||| StringSplitOptions.RemoveEmptyEntries)
    |> Array.map pair
    |> Map.ofArray

/// The value of `e` at `point`, refused (naming --at) when a symbol has no value or the value is
/// not finite.
let valueAt (what: string) (point: Map<string, float>) (text: string) (e: Expr) =
    match Evaluate.tryEvaluate point e with
    | Ok v when Double.IsFinite v -> v
    | Ok v -> Commands.bad "at" text (sprintf "a point where the %s is finite (it is %g there)" what v)
    | Error(MissingSymbol s) ->
        Commands.bad "at" text (sprintf "a value for every symbol of the %s (%s is missing)" what s)
    | Error err -> Commands.bad "at" text (sprintf "a point where the %s has a value (%O)" what err)

/// The printed forms of `e` under `prefix`: plain text (the parser reads it back), Unicode, LaTeX.
let private forms (prefix: string) (e: Expr) =
    [
        prefix, Str(Print.plain e)
        prefix + "_unicode", Str(Print.unicode e)
        prefix + "_latex", Str(Print.latex e)
    ]

/// The report of `icl simplify`: the canonical form of `formula`, and the derivative with respect
/// to `diff`, the values at `at` and the comparison with `other` when given.
let report (formula: string) (diff: string option) (at: string option) (other: string option) =
    let input = parseFormula "formula" formula
    let simplified = Rational.simplify input

    let derivative =
        diff
        |> Option.map (fun x -> x, Rational.simplify (Calculus.differentiate x simplified))

    let point = at |> Option.map parsePoint

    let comparison =
        other
        |> Option.map (fun text ->
            let b = parseFormula "equal" text
            let bSimplified = Rational.simplify b
            bSimplified, Rational.equal simplified bSimplified, Evaluate.probeEqual 1 64 (0.5, 2.0) 1e-9 input b)

    {
        Fields =
            [
                "input", Str(Print.plain input)
                yield! forms "simplified" simplified
                "nodes_input", int' (Expr.size input)
                "nodes_simplified", int' (Expr.size simplified)
                match derivative with
                | Some(x, d) ->
                    "with_respect_to", Str x
                    yield! forms "derivative" d
                | None -> ()
                match point, at with
                | Some p, Some text ->
                    "value", Num(valueAt "formula" p text simplified)

                    match derivative with
                    | Some(_, d) -> "derivative_value", Num(valueAt "derivative" p text d)
                    | None -> ()
                | _ -> ()
                match comparison with
                | Some(bSimplified, canonical, probe) ->
                    "other_simplified", Str(Print.plain bSimplified)
                    "equal_canonical", Bool canonical
                    "equal_probe", Bool probe
                | None -> ()
            ]
        Tables = []
    }
