module IclTheory.Symbolic.Tests.Generators

open FsCheck
open FsCheck.FSharp
open IclTheory.Symbolic

/// The symbols of generated expressions; evaluation points put each in [0.5, 2].
let symbols = [ "x"; "y"; "z" ]

let private smallRational =
    gen {
        let! n = Gen.choose (-6, 6)
        let! d = Gen.elements [ 1; 1; 2; 3 ]
        return Expr.rational n d
    }

let private positiveRational =
    gen {
        let! n = Gen.choose (1, 6)
        let! d = Gen.elements [ 1; 1; 2; 3 ]
        return Expr.rational n d
    }

/// Exponents: small integers, or small rationals.
let private exponent =
    Gen.oneof
        [
            Gen.choose (-3, 3) |> Gen.map Expr.integer
            Gen.elements
                [
                    Expr.rational 1 2
                    Expr.rational -1 2
                    Expr.rational 1 3
                    Expr.rational 3 2
                    Expr.rational 2 3
                ]
        ]

/// Pick a branch by weight and build only that generator (building every branch eagerly is
/// exponential in the depth).
let private lazyFrequency (branches: (int * (unit -> Gen<Expr>)) list) : Gen<Expr> =
    branches
    |> List.map (fun (weight, build) -> weight, Gen.constant () |> Gen.bind build)
    |> Gen.frequency

/// Expressions that are positive whenever every symbol is positive (safe under ln, in
/// denominators and as bases of non-integer powers).
let rec positive (size: int) : Gen<Expr> =
    let leaf =
        Gen.oneof [ Gen.elements symbols |> Gen.map Expr.symbol; positiveRational ]

    if size <= 1 then
        leaf
    else
        let half = size / 2

        lazyFrequency
            [
                3, (fun () -> leaf)
                2, (fun () -> Gen.map2 (fun a b -> Expr.add [ a; b ]) (positive half) (positive half))
                2, (fun () -> Gen.map2 (fun a b -> Expr.multiply [ a; b ]) (positive half) (positive half))
                1, (fun () -> Gen.map2 Expr.divide (positive half) (positive half))
                2, (fun () -> Gen.map2 Expr.power (positive half) exponent)
                1, (fun () -> Gen.map Expr.exp (bounded half))
            ]

/// Any expression that is defined and finite-valued for positive symbols of moderate size.
and any (size: int) : Gen<Expr> =
    let leaf = Gen.oneof [ Gen.elements symbols |> Gen.map Expr.symbol; smallRational ]

    if size <= 1 then
        leaf
    else
        let half = size / 2

        lazyFrequency
            [
                2, (fun () -> leaf)
                3, (fun () -> Gen.map2 (fun a b -> Expr.add [ a; b ]) (any half) (any half))
                2, (fun () -> Gen.map2 Expr.subtract (any half) (any half))
                3, (fun () -> Gen.map2 (fun a b -> Expr.multiply [ a; b ]) (any half) (any half))
                2, (fun () -> Gen.map2 Expr.divide (any half) (positive half))
                2, (fun () -> Gen.map2 Expr.power (any half) (Gen.choose (0, 3) |> Gen.map Expr.integer))
                2, (fun () -> Gen.map2 Expr.power (positive half) exponent)
                1, (fun () -> Gen.map Expr.ln (positive half))
                1, (fun () -> Gen.map Expr.exp (bounded half))
            ]

/// Arguments of exp kept small: ±x/2, ±x, a logarithm, or minus a small positive expression.
and bounded (size: int) : Gen<Expr> =
    let scaledSymbol =
        Gen.map2
            (fun c s -> Expr.multiply [ c; s ])
            (Gen.elements [ Expr.rational 1 2; Expr.rational -1 2; Expr.one; Expr.minusOne ])
            (Gen.elements symbols |> Gen.map Expr.symbol)

    lazyFrequency
        [
            2, (fun () -> scaledSymbol)
            1, (fun () -> Gen.map Expr.ln (positive (size / 2)))
            1, (fun () -> Gen.map Expr.negate (positive (min size 3)))
        ]

/// Expressions of bounded size (at most about 32 leaves).
let expr: Gen<Expr> = Gen.sized (fun s -> any (max 3 (min 32 (s / 3 + 3))))

/// Positive expressions of bounded size.
let positiveExpr: Gen<Expr> =
    Gen.sized (fun s -> positive (max 2 (min 12 (s / 4 + 2))))

/// A random point with every symbol in [0.5, 2].
let point: Gen<Map<string, float>> =
    gen {
        let! values = Gen.listOfLength symbols.Length (Gen.choose (0, 1000000))

        return
            List.zip symbols (values |> List.map (fun v -> 0.5 + 1.5 * float v / 1e6))
            |> Map.ofList
    }

let exprArb = Arb.fromGen expr
let exprAndPoint = Arb.fromGen (Gen.zip expr point)
let twoExprsAndPoint = Arb.fromGen (Gen.zip3 expr expr point)

/// Evaluate, or None when the value is missing or not finite.
let finiteValue (values: Map<string, float>) (e: Expr) =
    match Evaluate.tryEvaluate values e with
    | Ok v when System.Double.IsFinite v && abs v < 1e12 -> Some v
    | _ -> None
