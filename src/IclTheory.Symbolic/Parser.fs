namespace IclTheory.Symbolic

open System
open System.Numerics

/// The Greek symbol names the printers and the parser know.
module Greek =
    /// (name, lower-case letter, LaTeX command)
    let table =
        [
            "alpha", "α", @"\alpha"
            "beta", "β", @"\beta"
            "gamma", "γ", @"\gamma"
            "nu", "ν", @"\nu"
            "kappa", "κ", @"\kappa"
            "tau", "τ", @"\tau"
            "sigma", "σ", @"\sigma"
            "omega", "ω", @"\omega"
            "lambda", "λ", @"\lambda"
            "eta", "η", @"\eta"
        ]

    let tryLetter (name: string) =
        table
        |> List.tryFind (fun (n, _, _) -> n = name)
        |> Option.map (fun (_, l, _) -> l)

    let tryLatex (name: string) =
        table
        |> List.tryFind (fun (n, _, _) -> n = name)
        |> Option.map (fun (_, _, l) -> l)

    let tryName (letter: string) =
        table
        |> List.tryFind (fun (_, l, _) -> l = letter)
        |> Option.map (fun (n, _, _) -> n)

/// A parse failure: where (0-based character index) and what was expected there.
type ParseError =
    {
        Position: int
        Expected: string
        Found: string
    }

    override e.ToString() =
        sprintf "at column %d: expected %s but found %s" (e.Position + 1) e.Expected e.Found

exception ParseException of ParseError

/// Plain-text parser. Grammar, loosest first:
///   sum     := product (('+' | '-') product)*
///   product := unary (('*' | '/') unary)*
///   unary   := '-' unary | power
///   power   := atom ('^' exponent)?          (right-associative)
///   exponent:= '-' exponent | power
///   atom    := number | name | name '(' sum ')' | '(' sum ')'
/// so ^ binds tighter than unary minus (-x^2 = -(x^2)), which binds tighter than * and /.
/// Functions: ln, log (natural), exp, sqrt. Greek letters (β, ν, ...) read as their names.
module Parser =

    type private State = { Text: string; mutable Pos: int }

    let private describe (s: State) =
        if s.Pos >= s.Text.Length then
            "end of input"
        else
            sprintf "'%c'" s.Text.[s.Pos]

    let private fail (s: State) (expected: string) : Result<'a, ParseError> =
        Error
            {
                Position = s.Pos
                Expected = expected
                Found = describe s
            }

    let private skipSpaces (s: State) =
        while s.Pos < s.Text.Length && Char.IsWhiteSpace s.Text.[s.Pos] do
            s.Pos <- s.Pos + 1

    let private peek (s: State) =
        skipSpaces s
        if s.Pos < s.Text.Length then Some s.Text.[s.Pos] else None

    let private isNameStart (c: char) = Char.IsLetter c || c = '_'
    let private isNameChar (c: char) = Char.IsLetterOrDigit c || c = '_'

    let private readWhile (s: State) (pred: char -> bool) =
        let start = s.Pos

        while s.Pos < s.Text.Length && pred s.Text.[s.Pos] do
            s.Pos <- s.Pos + 1

        s.Text.Substring(start, s.Pos - start)

    /// A decimal literal, read exactly: 0.25 = 1/4.
    let private number (s: State) : Expr =
        let whole = readWhile s Char.IsDigit

        let fraction =
            if s.Pos < s.Text.Length && s.Text.[s.Pos] = '.' then
                s.Pos <- s.Pos + 1
                readWhile s Char.IsDigit
            else
                ""

        let digits = BigInteger.Parse(whole + fraction)
        Number(Q.create digits (BigInteger.Pow(BigInteger 10, fraction.Length)))

    let private functions: Map<string, Expr -> Expr> =
        Map.ofList
            [
                "ln", Expr.ln
                "log", Expr.ln
                "exp", Expr.exp
                "sqrt", (fun x -> Expr.power x (Expr.rational 1 2))
            ]

    let private expect (s: State) (c: char) (what: string) : Result<unit, ParseError> =
        match peek s with
        | Some d when d = c ->
            s.Pos <- s.Pos + 1
            Ok()
        | _ -> fail s what

    let rec private sum (s: State) : Result<Expr, ParseError> =
        let rec loop acc =
            match peek s with
            | Some('+' | '-' | '−' as op) ->
                s.Pos <- s.Pos + 1

                product s
                |> Result.bind (fun t ->
                    loop (
                        if op = '+' then
                            Expr.add [ acc; t ]
                        else
                            Expr.subtract acc t
                    ))
            | _ -> Ok acc

        product s |> Result.bind loop

    and private product (s: State) : Result<Expr, ParseError> =
        let rec loop acc =
            match peek s with
            | Some('*' | '·' | '/' as op) ->
                s.Pos <- s.Pos + 1

                unary s
                |> Result.bind (fun f ->
                    loop (
                        if op = '/' then
                            Expr.divide acc f
                        else
                            Expr.multiply [ acc; f ]
                    ))
            | _ -> Ok acc

        unary s |> Result.bind loop

    and private unary (s: State) : Result<Expr, ParseError> =
        match peek s with
        | Some('-' | '−') ->
            s.Pos <- s.Pos + 1
            unary s |> Result.map Expr.negate
        | _ -> power s

    and private power (s: State) : Result<Expr, ParseError> =
        atom s
        |> Result.bind (fun b ->
            match peek s with
            | Some '^' ->
                s.Pos <- s.Pos + 1
                exponent s |> Result.map (Expr.power b)
            | _ -> Ok b)

    and private exponent (s: State) : Result<Expr, ParseError> =
        match peek s with
        | Some('-' | '−') ->
            s.Pos <- s.Pos + 1
            exponent s |> Result.map Expr.negate
        | _ -> power s

    and private atom (s: State) : Result<Expr, ParseError> =
        match peek s with
        | Some c when Char.IsDigit c || c = '.' ->
            if c = '.' && not (s.Pos + 1 < s.Text.Length && Char.IsDigit s.Text.[s.Pos + 1]) then
                fail s "a number, a name or '('"
            else
                Ok(number s)
        | Some '(' ->
            s.Pos <- s.Pos + 1

            sum s
            |> Result.bind (fun e -> expect s ')' "')' or an operator" |> Result.map (fun () -> e))
        | Some c when isNameStart c ->
            let start = s.Pos
            let raw = readWhile s isNameChar
            let name = Greek.tryName raw |> Option.defaultValue raw

            match peek s with
            | Some '(' ->
                match functions.TryFind name with
                | Some f ->
                    s.Pos <- s.Pos + 1

                    sum s
                    |> Result.bind (fun e -> expect s ')' "')' or an operator" |> Result.map (fun () -> f e))
                | None ->
                    s.Pos <- start

                    fail s (sprintf "a known function (%s) before '('" (String.Join(", ", functions.Keys)))
            | _ when name = "undefined" -> Ok Undefined
            | _ when name = "complexinfinity" -> Ok ComplexInfinity
            | _ -> Ok(Symbol name)
        | _ -> fail s "a number, a name or '('"

    /// Parse plain text; the error gives the position and what was expected.
    let tryParse (text: string) : Result<Expr, ParseError> =
        let s = { Text = text; Pos = 0 }

        sum s
        |> Result.bind (fun e ->
            match peek s with
            | None -> Ok e
            | Some _ -> fail s "an operator or end of input")

    /// Parse plain text; raises ParseException on failure.
    let parse (text: string) : Expr =
        match tryParse text with
        | Ok e -> e
        | Error err -> raise (ParseException err)
