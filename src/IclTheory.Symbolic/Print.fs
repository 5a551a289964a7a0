namespace IclTheory.Symbolic

open System

/// Printers: expression → layout → text.
module Print =

    let rec private plainOf (l: Layout) : string =
        match l with
        | LNumber n -> n.ToString()
        | LName s -> s
        | LSum(first, rest) ->
            plainOf first
            + String.Join(
                "",
                rest
                |> List.map (fun (minus, t) -> (if minus then " - " else " + ") + plainOf t)
            )
        | LProduct fs -> String.Join("*", List.map plainOf fs)
        | LFraction(a, b) -> plainOf a + "/" + plainOf b
        | LPower(b, x) -> plainOf b + "^" + plainOf x
        | LNegate x -> "-" + plainOf x
        | LFunction(f, x) -> f + "(" + plainOf x + ")"
        | LParen x -> "(" + plainOf x + ")"
        | LUndefined -> "undefined"
        | LInfinity -> "complexinfinity"

    /// Plain text that the parser reads back to the same expression.
    let plain (e: Expr) : string = plainOf (Layout.ofExpr Inline e)

    let private superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹"

    let private superscript (digits: string) =
        String(digits.ToCharArray() |> Array.map (fun c -> superscripts.[int c - int '0']))

    let rec private unicodeOf (l: Layout) : string =
        match l with
        | LNumber n -> n.ToString()
        | LName s -> Greek.tryLetter s |> Option.defaultValue s
        | LSum(first, rest) ->
            unicodeOf first
            + String.Join(
                "",
                rest
                |> List.map (fun (minus, t) -> (if minus then " − " else " + ") + unicodeOf t)
            )
        | LProduct fs -> String.Join("·", List.map unicodeOf fs)
        | LFraction(a, b) -> unicodeOf a + "/" + unicodeOf b
        | LPower(b, LNumber n) -> unicodeOf b + superscript (n.ToString()) // simple exponents as superscripts
        | LPower(b, x) -> unicodeOf b + "^" + unicodeOf x
        | LNegate x -> "−" + unicodeOf x
        | LFunction(f, x) -> f + "(" + unicodeOf x + ")"
        | LParen x -> "(" + unicodeOf x + ")"
        | LUndefined -> "undefined"
        | LInfinity -> "∞̃"

    /// Unicode text: Greek letters, superscript integer exponents, · and −.
    let unicode (e: Expr) : string = unicodeOf (Layout.ofExpr Inline e)

    let private latexName (s: string) =
        match Greek.tryLatex s with
        | Some l -> l
        | None when s.Length = 1 || s.Contains "_" -> s
        | None -> @"\mathrm{" + s + "}"

    let rec private latexOf (l: Layout) : string =
        match l with
        | LNumber n -> n.ToString()
        | LName s -> latexName s
        | LSum(first, rest) ->
            latexOf first
            + String.Join(
                "",
                rest
                |> List.map (fun (minus, t) -> (if minus then " - " else " + ") + latexOf t)
            )
        | LProduct fs ->
            fs
            |> List.map latexOf
            |> List.reduce (fun acc f ->
                if Char.IsDigit f.[0] then
                    acc + @" \cdot " + f
                else
                    acc + " " + f)
        | LFraction(a, b) -> @"\frac{" + latexOf a + "}{" + latexOf b + "}"
        | LPower(b, x) -> latexOf b + "^{" + latexOf x + "}"
        | LNegate x -> "-" + latexOf x
        | LFunction(f, x) -> @"\" + f + @"\left(" + latexOf x + @"\right)"
        | LParen x -> @"\left(" + latexOf x + @"\right)"
        | LUndefined -> @"\mathrm{undefined}"
        | LInfinity -> @"\tilde{\infty}"

    /// LaTeX: \frac, ^{}, \beta, \nu, \ln.
    let latex (e: Expr) : string = latexOf (Layout.ofExpr Stacked e)
