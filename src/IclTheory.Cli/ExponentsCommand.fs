/// `icl exponents` and `icl shape`: the paper's scaling exponents as printed and as the symbolic
/// core derives them (IclTheory.Symbolic), evaluated at given (ν, β).
module IclTheory.Cli.ExponentsCommand

open System
open System.Text
open IclTheory.Solver
open IclTheory.Symbolic
open IclTheory.Cli.Output

/// Output formats of `icl exponents`: the CLI's three plus Markdown and a LaTeX table body.
type ExponentFormat =
    | Plain of Format
    | Markdown
    | Tex

/// Parses --format for `icl exponents`.
let parseFormat (s: string option) =
    match s |> Option.map (fun x -> x.Trim().ToLowerInvariant()) with
    | None
    | Some "text" -> Plain Text
    | Some "json" -> Plain Json
    | Some "csv" -> Plain Csv
    | Some "md"
    | Some "markdown" -> Markdown
    | Some "tex"
    | Some "latex" -> Tex
    | Some other -> raise (InvalidParameterException("format", other, "text, md, tex, csv or json"))

/// One exponent claim evaluated at the chosen symbol values.
type Row =
    {
        Claim: ExponentClaim
        Derived: Expr option
        DerivedError: string option
        Conditions: (string * Verdict) list
        ValuePrinted: float option
        ValueDerived: float option
        /// The exponent fitted from the sum as printed, summed term by term (where one exists).
        Fitted: float option
        Agrees: bool option
    }

let private valueAt (values: Map<string, float>) (e: Expr) =
    match Evaluate.tryEvaluate values e with
    | Ok v when Double.IsFinite v -> Some v
    | _ -> None

/// The rows of every claim of `PaperExponents.claims` at `values` (symbols missing from `values`,
/// such as the competing paper's h, leave the value empty).
let rows (values: Map<string, float>) =
    PaperExponents.claims
    |> List.map (fun c ->
        let law =
            match c.Derived with
            | Some(Ok law) -> Some law
            | _ -> None

        {
            Claim = c
            Derived = law |> Option.map (fun l -> l.Exponent)
            DerivedError =
                match c.Derived with
                | Some(Error e) -> Some(string e)
                | _ -> None
            Conditions =
                law
                |> Option.map (fun l ->
                    l.Conditions
                    |> List.map (fun cond -> string cond, Condition.decideAt values cond))
                |> Option.defaultValue []
            ValuePrinted = c.Printed |> Option.bind (valueAt values)
            ValueDerived = law |> Option.bind (fun l -> valueAt values l.Exponent)
            Fitted =
                match values.TryFind "nu", values.TryFind "beta" with
                | Some nu, Some beta -> IclTheory.Derivations.ExponentClaims.fitted c.Id nu beta
                | _ -> None
            Agrees =
                match PaperExponents.compare c with
                | Comparison.Agrees -> Some true
                | Comparison.Differs _ -> Some false
                | _ -> None
        })

let private exprText (f: Expr -> string) (e: Expr option) =
    e |> Option.map f |> Option.defaultValue ""

let private conditionsText (r: Row) =
    r.Conditions
    |> List.map (fun (c, v) -> sprintf "%s (%s)" c ((string v).ToLowerInvariant()))
    |> String.concat "; "

let private conditionsHold (r: Row) =
    r.Conditions |> List.forall (fun (_, v) -> v <> Verdict.Fails)

let private optNum (x: float option) =
    x |> Option.map Num |> Option.defaultValue Null

let private optBool (x: bool option) =
    x |> Option.map Bool |> Option.defaultValue Null

/// Fields and the table of rows (text, CSV, JSON).
let report (nu: float) (beta: float) (rows: Row list) =
    {
        Fields = [ "nu", Num nu; "beta", Num beta ]
        Tables =
            [
                {
                    Name = "exponents"
                    Columns =
                        [
                            "id"
                            "paper"
                            "source"
                            "quantity"
                            "printed"
                            "derived"
                            "value_printed"
                            "value_derived"
                            "fitted"
                            "agrees"
                            "conditions"
                            "conditions_hold"
                            "note"
                        ]
                    Rows =
                        rows
                        |> List.map (fun r ->
                            [
                                Str r.Claim.Id
                                Str r.Claim.Paper
                                Str(r.Claim.Section + ", " + r.Claim.Equation)
                                Str r.Claim.Quantity
                                Str(exprText Print.plain r.Claim.Printed)
                                Str(
                                    match r.DerivedError with
                                    | Some e -> "not derived: " + e
                                    | None -> exprText Print.plain r.Derived
                                )
                                optNum r.ValuePrinted
                                optNum r.ValueDerived
                                optNum r.Fitted
                                optBool r.Agrees
                                Str(conditionsText r)
                                Bool(conditionsHold r)
                                Str r.Claim.Note
                            ])
                }
            ]
    }

let private verdictText (r: Row) =
    match r.Agrees with
    | Some true -> "agrees"
    | Some false -> "**differs**"
    | None when r.Derived.IsSome -> "derived only"
    | None -> "printed only"

let private mdNum (x: float option) =
    x
    |> Option.map (fun v -> v.ToString("0.######", Globalization.CultureInfo.InvariantCulture))
    |> Option.defaultValue ""

/// A Markdown table (unicode formulas).
let markdown (nu: float) (beta: float) (rows: Row list) =
    let sb = StringBuilder()
    let esc (s: string) = s.Replace("|", "\\|")

    sb
        .AppendLine(
            sprintf
                "Values at ν = %g, β = %g. Generated by `icl exponents --nu %g --beta %g --format md`."
                nu
                beta
                nu
                beta
        )
        .AppendLine()
        .AppendLine(
            "| id | source | quantity | printed | derived | value printed | value derived | fitted | verdict | conditions |"
        )
        .AppendLine("|---|---|---|---|---|---|---|---|---|---|")
    |> ignore

    for r in rows do
        sb.AppendLine(
            sprintf
                "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                r.Claim.Id
                (esc (r.Claim.Section + ", " + r.Claim.Equation))
                (esc r.Claim.Quantity)
                (esc (exprText Print.unicode r.Claim.Printed))
                (esc (exprText Print.unicode r.Derived))
                (mdNum r.ValuePrinted)
                (mdNum r.ValueDerived)
                (mdNum r.Fitted)
                (verdictText r)
                (esc (conditionsText r))
        )
        |> ignore

    sb.ToString()

/// Escapes LaTeX's special characters in text mode.
let texEscape (s: string) =
    s
        .Replace("\\", "\\textbackslash{}")
        .Replace("&", "\\&")
        .Replace("%", "\\%")
        .Replace("$", "\\$")
        .Replace("#", "\\#")
        .Replace("_", "\\_")
        .Replace("{", "\\{")
        .Replace("}", "\\}")
        .Replace("—", "--")
        .Replace("–", "--")

/// A LaTeX table body: one row per claim, `id & equation & printed & derived & values & fitted & verdict \\`.
let tex (rows: Row list) =
    let sb = StringBuilder()

    let math (e: Expr option) =
        e |> Option.map (fun x -> "$" + Print.latex x + "$") |> Option.defaultValue "--"

    for r in rows do
        sb.AppendLine(
            sprintf
                "\\texttt{%s} & %s & %s & %s & %s & %s & %s & %s \\\\"
                (texEscape r.Claim.Id)
                (texEscape r.Claim.Equation)
                (math r.Claim.Printed)
                (math r.Derived)
                (mdNum r.ValuePrinted |> fun s -> if s = "" then "--" else s)
                (mdNum r.ValueDerived |> fun s -> if s = "" then "--" else s)
                (mdNum r.Fitted |> fun s -> if s = "" then "--" else s)
                (match r.Agrees with
                 | Some true -> "agrees"
                 | Some false -> "differs"
                 | None -> "--")
        )
        |> ignore

    sb.ToString()

/// The symbol values of a run: ν, β (and h of the competing paper when given).
let values (nu: float) (beta: float) (h: float option) =
    Validate.positive "nu" nu
    Validate.positive "beta" beta
    h |> Option.iter (Validate.positive "h")

    [ "nu", nu; "beta", beta ]
    @ (h |> Option.map (fun v -> [ "h", v ]) |> Option.defaultValue [])
    |> Map.ofList

/// `icl shape`: compute-optimal allocation of Eq. 18 at C = t·P²·N²·L (and at fixed P).
let shape (nu: float) (beta: float) =
    let vals = values nu beta None

    let describe (label: string) (allocation: Result<Allocation, AsymptoticError>) =
        match allocation with
        | Error e -> raise (InvalidParameterException("allocation", label, string e))
        | Ok a ->
            for c in a.Conditions do
                if Condition.decideAt vals c = Verdict.Fails then
                    raise (
                        InvalidParameterException(
                            "nu, beta",
                            sprintf "%g, %g" nu beta,
                            sprintf "values where %O holds" c
                        )
                    )

            a.Shares
            |> List.map (fun (name, e) -> [ Str label; Str name; Str(Print.plain e); optNum (valueAt vals e) ])
            |> fun shares ->
                shares
                @ [
                    [
                        Str label
                        Str "loss"
                        Str(Print.plain a.LossExponent)
                        optNum (valueAt vals a.LossExponent)
                    ]
                    [
                        Str label
                        Str "L vs N"
                        Str(Print.plain (Allocation.relation "L" "N" a))
                        optNum (valueAt vals (Allocation.relation "L" "N" a))
                    ]
                ]

    {
        Fields = [ "nu", Num nu; "beta", Num beta ]
        Tables =
            [
                {
                    Name = "allocation"
                    Columns = [ "budget"; "resource"; "exponent"; "value" ]
                    Rows =
                        describe "C = t·P²·N²·L" PaperExponents.eq18Allocation
                        @ describe "C = t·N²·L (P fixed)" PaperExponents.eq18AllocationFixedP
                }
            ]
    }
