namespace IclTheory.Symbolic

open System
open System.Collections.Generic

/// One closed expression type. Values are built only through the smart constructors of the
/// `Expr` module, which keep the canonical form; structural equality is then equality of
/// canonical forms. There is no comparison: ordering goes through `Expr.order` alone. Equality
/// is structural, with a reference-equality shortcut (shared subtrees compare in O(1)).
[<CustomEquality; NoComparison>]
type Expr =
    /// An exact rational.
    | Number of Q
    /// A named symbol (ν is `nu`, β is `beta`, ...).
    | Symbol of string
    /// At least two summands; no summand is a sum or zero; like terms collected; one number at most, first.
    | Sum of Expr list
    /// At least two factors; no factor is a product or one; like powers collected; one number at most, first.
    | Product of Expr list
    /// base^exponent; never x^0, x^1, a folded number, or a power of exp.
    | Power of Expr * Expr
    /// Natural logarithm; never ln(1) or ln(exp x).
    | Ln of Expr
    /// Exponential; never exp(0) or exp(ln x).
    | Exp of Expr
    /// A value with no meaning (0/0, ∞ - ∞, 0·∞).
    | Undefined
    /// The unsigned infinity (x/0 for x ≠ 0).
    | ComplexInfinity

    override e.ToString() =
        let rec show e =
            match e with
            | Number q -> q.ToString()
            | Symbol s -> s
            | Sum xs -> "(" + String.Join(" + ", List.map show xs) + ")"
            | Product xs -> "(" + String.Join(" * ", List.map show xs) + ")"
            | Power(b, x) -> show b + "^" + show x
            | Ln x -> "ln(" + show x + ")"
            | Exp x -> "exp(" + show x + ")"
            | Undefined -> "undefined"
            | ComplexInfinity -> "complexinfinity"

        show e

    override e.Equals(o: obj) =
        match o with
        | :? Expr as f -> Expr.Same(e, f)
        | _ -> false

    override e.GetHashCode() =
        match e with
        | Number q -> q.GetHashCode()
        | Symbol s -> HashCode.Combine(1, s)
        | Sum xs -> Expr.HashList(2, xs)
        | Product xs -> Expr.HashList(3, xs)
        | Power(b, x) -> HashCode.Combine(4, b.GetHashCode(), x.GetHashCode())
        | Ln x -> HashCode.Combine(5, x.GetHashCode())
        | Exp x -> HashCode.Combine(6, x.GetHashCode())
        | Undefined -> 7
        | ComplexInfinity -> 8

    static member internal HashList(tag: int, xs: Expr list) =
        let mutable h = HashCode()
        h.Add tag

        for x in xs do
            h.Add(x.GetHashCode())

        h.ToHashCode()

    /// Structural equality; identical references are equal without a walk.
    static member Same(a: Expr, b: Expr) : bool =
        obj.ReferenceEquals(a, b)
        || (match a, b with
            | Number p, Number q -> p.Equals q
            | Symbol s, Symbol t -> String.Equals(s, t)
            | Sum xs, Sum ys
            | Product xs, Product ys -> Expr.SameList(xs, ys)
            | Power(b1, x1), Power(b2, x2) -> Expr.Same(b1, b2) && Expr.Same(x1, x2)
            | Ln x, Ln y
            | Exp x, Exp y -> Expr.Same(x, y)
            | Undefined, Undefined
            | ComplexInfinity, ComplexInfinity -> true
            | _ -> false)

    /// Element-wise structural equality of two lists.
    static member internal SameList(xs: Expr list, ys: Expr list) : bool =
        match xs, ys with
        | [], [] -> true
        | x :: xs, y :: ys -> Expr.Same(x, y) && Expr.SameList(xs, ys)
        | _ -> false

/// Smart constructors, the canonical order and structural helpers.
module Expr =

    let zero = Number Q.zero
    let one = Number Q.one
    let minusOne = Number(Q.ofInt -1)
    let number (q: Q) = Number q
    /// The numbers −64 to 64, made once (expressions are immutable, so sharing them is safe).
    let private smallIntegers = Array.init 129 (fun k -> Number(Q.ofInt (k - 64)))

    let integer (k: int) =
        if k >= -64 && k <= 64 then
            smallIntegers.[k + 64]
        else
            Number(Q.ofInt k)

    let rational (n: int) (d: int) = Number(Q.ofInts n d)
    let symbol (name: string) = Symbol name

    let private kindRank e =
        match e with
        | Number _ -> 0
        | Product _ -> 1
        | Power _ -> 2
        | Sum _ -> 3
        | Symbol _ -> 4
        | Exp _ -> 5
        | Ln _ -> 6
        | Undefined -> 7
        | ComplexInfinity -> 8

    /// The last element and the length of a list.
    [<AllowNullLiteral>]
    type private Ends(last: Expr, length: int) =
        member _.Last = last
        member _.Length = length

    /// Lists longer than this have their ends remembered (`lastAndLength`).
    let private rememberedEndsLength = 32

    /// The ends of long lists, remembered by list (lists are immutable, so they stay true; an entry
    /// goes with its list): a 1000-term sum that a product constructor compares with each of its
    /// other factors is walked once, not once per comparison.
    let private longListEnds =
        System.Runtime.CompilerServices.ConditionalWeakTable<Expr list, Ends>()

    /// Compare lists from their last (most significant) element, as in Cohen's order; when one
    /// list is a suffix of the other, the shorter comes first.
    let rec private compareFromEnd (xs: Expr list) (ys: Expr list) =
        let lx, ly = List.length xs, List.length ys
        // align the ends: the extra leading elements of the longer list are compared last
        let c =
            compareAligned (List.skip (max 0 (lx - ly)) xs) (List.skip (max 0 (ly - lx)) ys)

        if c <> 0 then c else compare lx ly

    /// The last element of a non-empty list and its length, in one walk (remembered for lists
    /// longer than `rememberedEndsLength`).
    and private lastAndLength (xs: Expr list) =
        let mutable rest = xs.Tail
        let mutable last = xs.Head
        let mutable length = 1

        while not rest.IsEmpty && length <= rememberedEndsLength do
            last <- rest.Head
            length <- length + 1
            rest <- rest.Tail

        if rest.IsEmpty then
            struct (last, length)
        else
            match longListEnds.TryGetValue xs with
            | true, known -> struct (known.Last, known.Length)
            | _ ->
                while not rest.IsEmpty do
                    last <- rest.Head
                    length <- length + 1
                    rest <- rest.Tail

                longListEnds.AddOrUpdate(xs, Ends(last, length))
                struct (last, length)

    /// compareFromEnd xs [v] for a non-empty xs, in one walk of xs and without the singleton list:
    /// its last element against v, then the lengths.
    and private compareLastWith (xs: Expr list) (v: Expr) =
        let struct (last, length) = lastAndLength xs

        match order last v with
        | 0 -> compare length 1
        | c -> c

    /// compareFromEnd [u] ys for a non-empty ys, likewise.
    and private compareWithLast (u: Expr) (ys: Expr list) =
        let struct (last, length) = lastAndLength ys

        match order u last with
        | 0 -> compare 1 length
        | c -> c

    /// Equal-length lists compared from the last element backwards.
    and private compareAligned (xs: Expr list) (ys: Expr list) =
        match xs, ys with
        | x :: xs, y :: ys ->
            match compareAligned xs ys with
            | 0 -> order x y
            | c -> c
        | _ -> 0

    /// The one canonical total order: numbers first; products, powers and sums compared through
    /// their most significant parts (so x < x² < y and 2·x sits beside x); symbols before exp, ln.
    and order (u: Expr) (v: Expr) : int =
        match u, v with
        | Number a, Number b -> Q.compare a b
        | Number _, _ -> -1
        | _, Number _ -> 1
        | Symbol a, Symbol b -> String.CompareOrdinal(a, b) |> sign
        | Product xs, Product ys
        | Sum xs, Sum ys -> compareFromEnd xs ys
        | Power(b1, e1), Power(b2, e2) ->
            let c = order b1 b2
            if c <> 0 then c else order e1 e2
        | Ln a, Ln b
        | Exp a, Exp b -> order a b
        | Undefined, Undefined
        | ComplexInfinity, ComplexInfinity -> 0
        | (Undefined | ComplexInfinity), _
        | _, (Undefined | ComplexInfinity) -> compare (kindRank u) (kindRank v)
        | Product xs, _ -> compareLastWith xs v
        | _, Product ys -> compareWithLast u ys
        | Power(b1, e1), _ ->
            let c = order b1 v
            if c <> 0 then c else order e1 one
        | _, Power(b2, e2) ->
            let c = order u b2
            if c <> 0 then c else order one e2
        | Sum xs, _ -> compareLastWith xs v
        | _, Sum ys -> compareWithLast u ys
        | _ -> compare (kindRank u) (kindRank v)

    /// Lists up to this length are sorted by insertion in place of List.sortWith (whose array
    /// copies dominate on a few factors); both sorts are stable, so they agree.
    let private insertionSortLength = 16

    /// Stable insertion sort by the canonical order.
    let private insertionSort (xs: Expr list) =
        let items = List.toArray xs

        for i in 1 .. items.Length - 1 do
            let x = items.[i]
            let mutable j = i - 1

            while j >= 0 && order items.[j] x > 0 do
                items.[j + 1] <- items.[j]
                j <- j - 1

            items.[j + 1] <- x

        List.ofArray items

    /// The factors through which `order` compares a term of a sum: a product's factors, else the
    /// term itself (order u v = compareFromEnd [u] [v] when neither is a product).
    let private factorArray (t: Expr) =
        match t with
        | Product xs -> List.toArray xs
        | _ -> [| t |]

    /// compareFromEnd on factor arrays: the aligned ends from the last element backwards, then the
    /// shorter first; equal to `order` on the terms of a sum (no specials, no nested sums).
    let private compareFactorArrays (a: Expr[]) (b: Expr[]) =
        let n = min a.Length b.Length
        let mutable c = 0
        let mutable k = 1

        while c = 0 && k <= n do
            c <- order a.[a.Length - k] b.[b.Length - k]
            k <- k + 1

        if c <> 0 then c else compare a.Length b.Length

    /// Stable natural merge sort of the terms of a sum by the canonical order: the maximal
    /// non-decreasing runs are merged pairwise (ties from the left run), so a list made of a few
    /// ordered stretches costs a few linear merges. Each term's factors are read into an array
    /// once (compareFromEnd would measure and walk the factor lists at every comparison).
    let private sortTerms (xs: Expr list) =
        let mutable items = List.toArray xs
        let mutable keys = items |> Array.map factorArray
        let n = items.Length
        let mutable scratchItems = Array.zeroCreate<Expr> n
        let mutable scratchKeys = Array.zeroCreate<Expr[]> n
        // run boundaries: starts.[k] .. starts.[k + 1] − 1 is the k-th run
        let starts = ResizeArray<int>([ 0 ])

        for i in 1 .. n - 1 do
            if compareFactorArrays keys.[i - 1] keys.[i] > 0 then
                starts.Add i

        starts.Add n
        let mutable bounds = starts.ToArray()

        while bounds.Length > 2 do
            let merged = ResizeArray<int>()
            let mutable r = 0

            while r + 1 < bounds.Length do
                let lo = bounds.[r]
                let mid = bounds.[r + 1]
                let hi = if r + 2 < bounds.Length then bounds.[r + 2] else mid
                let mutable i, j, k = lo, mid, lo

                while k < hi do
                    if j >= hi || (i < mid && compareFactorArrays keys.[i] keys.[j] <= 0) then
                        scratchItems.[k] <- items.[i]
                        scratchKeys.[k] <- keys.[i]
                        i <- i + 1
                    else
                        scratchItems.[k] <- items.[j]
                        scratchKeys.[k] <- keys.[j]
                        j <- j + 1

                    k <- k + 1

                merged.Add lo
                r <- r + 2

            merged.Add n
            let swapItems, swapKeys = items, keys
            items <- scratchItems
            keys <- scratchKeys
            scratchItems <- swapItems
            scratchKeys <- swapKeys
            bounds <- merged.ToArray()

        List.ofArray items

    /// Sort into the canonical order; lists built in order (the common case) are left as they are.
    /// `terms` says the list holds the terms of a sum (numbers, products, powers, kernels).
    let private sortCanonical (terms: bool) (xs: Expr list) =
        let rec sorted (ys: Expr list) =
            match ys with
            | a :: (b :: _ as rest) -> order a b <= 0 && sorted rest
            | _ -> true

        if sorted xs then
            xs
        elif List.length xs <= insertionSortLength then
            insertionSort xs
        elif terms then
            sortTerms xs
        else
            List.sortWith order xs

    /// The sum of a rational constant and terms that are pairwise unlike (no two with equal rests),
    /// none a number, sum, zero, special or product with coefficient 1, listed in canonical order:
    /// what `add` builds from them without looking for like terms or sorting (it would find none
    /// and keep every term as it is, in that order, behind the constant).
    let internal sumOfOrderedUnlike (constant: Q) (terms: Expr list) : Expr =
        match (if constant.IsZero then terms else Number constant :: terms) with
        | [] -> zero
        | [ t ] -> t
        | ts -> Sum ts

    let isNumber e =
        match e with
        | Number _ -> true
        | _ -> false

    let private isSpecial e =
        match e with
        | Undefined
        | ComplexInfinity -> true
        | _ -> false

    /// Split a term into its rational coefficient and the rest: 3·x·y → (3, x·y).
    let splitCoefficient (e: Expr) : Q * Expr =
        match e with
        | Number q -> q, one
        | Product(Number q :: [ x ]) -> q, x
        | Product(Number q :: xs) -> q, Product xs
        | _ -> Q.one, e

    /// The rational coefficient of a term, as `splitCoefficient` reads it, without building the rest.
    let private coefficientOf (e: Expr) : Q =
        match e with
        | Number q -> q
        | Product(Number q :: _) -> q
        | _ -> Q.one

    /// Split a factor into base and exponent: x^a → (x, a), anything else → (x, 1).
    let splitPower (e: Expr) : Expr * Expr =
        match e with
        | Power(b, x) -> b, x
        | _ -> e, one

    let private isSum e =
        match e with
        | Sum _ -> true
        | _ -> false

    let private isProduct e =
        match e with
        | Product _ -> true
        | _ -> false

    /// One level of nested sums spliced in; the input list itself when there is none (no copy).
    let private flattenSum (terms: Expr list) =
        if List.exists isSum terms then
            terms
            |> List.collect (fun t ->
                match t with
                | Sum xs -> xs
                | _ -> [ t ])
        else
            terms

    let private flattenProduct (factors: Expr list) =
        if List.exists isProduct factors then
            factors
            |> List.collect (fun f ->
                match f with
                | Product xs -> xs
                | _ -> [ f ])
        else
            factors

    /// The part of a term without its rational coefficient, as `splitCoefficient` reads it, but
    /// compared in place: whether terms u and v have equal rests (c·x and d·x are like terms).
    let private sameRest (u: Expr) (v: Expr) =
        let restList e =
            match e with
            | Product(Number _ :: xs) -> ValueSome xs
            | _ -> ValueNone

        match restList u, restList v with
        | ValueSome [ x ], ValueSome [ y ] -> Expr.Same(x, y)
        | ValueSome [ x ], ValueNone -> Expr.Same(x, v)
        | ValueNone, ValueSome [ y ] -> Expr.Same(u, y)
        | ValueSome(_ :: _ :: _ as xs), ValueSome(_ :: _ :: _ as ys) -> Expr.SameList(xs, ys)
        | ValueSome(_ :: _ :: _ as xs), ValueNone ->
            (match v with
             | Product ys -> Expr.SameList(xs, ys)
             | _ -> false)
        | ValueNone, ValueSome(_ :: _ :: _ as ys) ->
            (match u with
             | Product xs -> Expr.SameList(xs, ys)
             | _ -> false)
        | ValueNone, ValueNone -> Expr.Same(u, v)
        | _ -> Expr.Same(splitCoefficient u |> snd, splitCoefficient v |> snd)

    /// Whether `scale` of a term's own coefficient and rest rebuilds the term itself, so that a
    /// term without like terms can be kept as it is.
    let private rebuildsItself (t: Expr) =
        match t with
        | Product(Number q :: [ x ]) -> not q.IsOne && not (isProduct x)
        | Product(Number q :: _) -> not q.IsOne
        | _ -> true

    /// Sums longer than this collect like terms through a hash table instead of a linear scan.
    let private hashedSumLength = 16

    /// The hash of a term's rest (`splitCoefficient` without building the rest): the hash a
    /// product of the remaining factors, or the single remaining factor, would have.
    let private restHash (t: Expr) =
        match t with
        | Product(Number _ :: [ x ]) -> x.GetHashCode()
        | Product(Number _ :: xs) -> Expr.HashList(3, xs)
        | _ -> t.GetHashCode()

    /// Terms are alike when their rests are equal (`sameRest`), hashed consistently by `restHash`.
    let private likeTerms =
        { new IEqualityComparer<Expr> with
            member _.Equals(a, b) = sameRest a b
            member _.GetHashCode t = restHash t
        }

    /// Split the specials off: Undefined wins, one ComplexInfinity stays, two of them are Undefined.
    let private sumOfSpecials (flat: Expr list) =
        match List.filter isSpecial flat with
        | Undefined :: _ -> ValueSome Undefined
        | [ ComplexInfinity ] -> ValueSome ComplexInfinity
        | _ :: _ :: _ -> ValueSome Undefined // ∞ + ∞ has no sign to agree on
        | _ -> ValueNone

    /// Sum constructor. Invariant: flattened, numbers folded, like terms collected (c·x + d·x = (c+d)·x),
    /// zeros dropped, terms in canonical order, the number (if any) first.
    let rec add (terms: Expr list) : Expr =
        let flat = flattenSum terms

        match
            (if List.exists isSpecial flat then
                 sumOfSpecials flat
             else
                 ValueNone)
        with
        | ValueSome special -> special
        | ValueNone ->
            let mutable constant = Q.zero
            // like terms by first appearance: the first term of each group and its coefficients
            let firsts = ResizeArray<Expr>()
            let coefficients = ResizeArray<Q list>()
            // many terms: the group of a term is found by hashing its rest, not by a linear scan
            let groupOfRest =
                if List.length flat > hashedSumLength then
                    Dictionary<Expr, int>(likeTerms)
                else
                    null

            for t in flat do
                match t with
                | Number q -> constant <- constant + q
                | _ when not (isNull groupOfRest) ->
                    let c = coefficientOf t

                    match groupOfRest.TryGetValue t with
                    | true, i -> coefficients.[i] <- c :: coefficients.[i]
                    | _ ->
                        groupOfRest.[t] <- firsts.Count
                        firsts.Add t
                        coefficients.Add [ c ]
                | _ ->
                    let mutable i = 0

                    while i < firsts.Count && not (sameRest firsts.[i] t) do
                        i <- i + 1

                    let c = coefficientOf t

                    if i < firsts.Count then
                        coefficients.[i] <- c :: coefficients.[i]
                    else
                        firsts.Add t
                        coefficients.Add [ c ]

            let collected =
                List.init firsts.Count (fun i ->
                    match coefficients.[i] with
                    | [ c ] when rebuildsItself firsts.[i] -> if c.IsZero then None else Some firsts.[i]
                    | cs ->
                        let c = List.fold (+) Q.zero cs

                        if c.IsZero then
                            None
                        else
                            Some(scale c (snd (splitCoefficient firsts.[i]))))
                |> List.choose id
                |> sortCanonical true

            let all =
                if constant.IsZero then
                    collected
                else
                    Number constant :: collected

            match all with
            | [] -> zero
            | [ t ] -> t
            | ts -> Sum ts

    /// c·x for a rational c and a non-number x, without re-running the product collection.
    and private scale (c: Q) (x: Expr) : Expr =
        if c.IsOne then
            x
        else
            match x with
            | Product xs -> Product(Number c :: xs)
            | _ -> Product [ Number c; x ]

    /// Product constructor. Invariant: flattened, numbers folded, like powers collected
    /// (x^a·x^b = x^(a+b)), exp(u)·exp(v) = exp(u+v), ones dropped, factors in canonical order,
    /// the number (if any, ≠ 1) first. 0·x = 0 (the value at points where x is finite).
    and multiply (factors: Expr list) : Expr =
        let flat = flattenProduct factors

        if isCollected flat then
            match flat with
            | [] -> one
            | Number q :: _ when q.IsZero -> zero
            | Number q :: [] -> Number q
            | Number q :: [ f ] when q.IsOne -> f
            | Number q :: fs when q.IsOne -> Product fs
            | [ f ] -> f
            | fs -> Product fs
        else
            collectProduct flat

    /// Whether flattened factors are already collected: a number only first, no product or
    /// special, at most one exp, pairwise different bases, in canonical order. Collecting them
    /// would return them as they are (every canonical factor x^a rebuilds as itself, a lone exp
    /// stays), so the product is built directly.
    and private isCollected (flat: Expr list) =
        let inOrder (f: Expr) (rest: Expr list) =
            match rest with
            | g :: _ -> order f g <= 0
            | [] -> true

        let rec check (bases: Expr list) (seenExp: bool) (xs: Expr list) =
            match xs with
            | [] -> true
            | (Number _ | Product _ | Undefined | ComplexInfinity) :: _ -> false
            | (Exp _ as f) :: rest -> not seenExp && inOrder f rest && check bases true rest
            | f :: rest ->
                let b =
                    match f with
                    | Power(b, _) -> b
                    | _ -> f

                not (bases |> List.exists (fun seen -> Expr.Same(seen, b)))
                && inOrder f rest
                && check (b :: bases) seenExp rest

        match flat with
        | Number _ :: fs -> check [] false fs
        | _ -> check [] false flat

    /// The general product: numbers folded, like powers and exps collected, then sorted.
    and private collectProduct (flat: Expr list) : Expr =
        match
            (if List.exists isSpecial flat then
                 List.filter isSpecial flat
             else
                 [])
        with
        | Undefined :: _ -> Undefined
        | _ :: _ when flat |> List.exists (fun f -> f = zero) -> Undefined // 0·∞
        | _ :: _ -> ComplexInfinity
        | [] ->
            let mutable coefficient = Q.one
            let exps = ResizeArray<Expr>()
            // like powers by first appearance: bases and their exponents (latest first)
            let bases = ResizeArray<Expr>()
            let exponents = ResizeArray<Expr list>()

            for f in flat do
                match f with
                | Number q -> coefficient <- coefficient * q
                | Exp u -> exps.Add u
                | _ ->
                    let b, x = splitPower f
                    let mutable i = 0

                    while i < bases.Count && not (Expr.Same(bases.[i], b)) do
                        i <- i + 1

                    if i < bases.Count then
                        exponents.[i] <- x :: exponents.[i]
                    else
                        bases.Add b
                        exponents.Add [ x ]

            if coefficient.IsZero then
                zero
            else
                let rebuilt = ResizeArray<Expr>(bases.Count + 1)

                for i in 0 .. bases.Count - 1 do
                    rebuilt.Add(
                        match exponents.[i] with
                        | [ x ] -> power bases.[i] x // a canonical exponent is its own sum
                        | xs -> power bases.[i] (add xs)
                    )

                match exps.Count with
                | 0 -> ()
                | 1 -> rebuilt.Add(Exp exps.[0])
                | _ -> rebuilt.Add(exp (add (List.ofSeq exps)))

                // A collected power can fold to a number or distribute into a product: collect again.
                if rebuilt.Exists(fun f -> isNumber f || isProduct f || isSpecial f) then
                    multiply (Number coefficient :: List.ofSeq rebuilt)
                else
                    let sorted = rebuilt |> List.ofSeq |> sortCanonical false

                    let all =
                        if coefficient.IsOne then
                            sorted
                        else
                            Number coefficient :: sorted

                    match all with
                    | [] -> one
                    | [ f ] -> f
                    | fs -> Product fs

    /// Power constructor. Rules (each valid on the reals wherever the left side is defined):
    /// x^0 = 1, x^1 = x, number^integer folds, q^(m/n) folds when q has an exact n-th root,
    /// (x^a)^b = x^(a·b) only for integer b, (x·y)^b = x^b·y^b only for integer b,
    /// exp(u)^b = exp(b·u). 0^(negative) = ComplexInfinity, 0^0 = Undefined.
    and power (b: Expr) (x: Expr) : Expr =
        match b, x with
        | Undefined, _
        | _, Undefined -> Undefined
        | _, ComplexInfinity -> Undefined
        | ComplexInfinity, Number q when q.Sign > 0 -> ComplexInfinity
        | ComplexInfinity, Number q when q.Sign < 0 -> zero
        | ComplexInfinity, _ -> Undefined
        | _, Number q when q.IsZero -> if b = zero then Undefined else one // x^0 = 1
        | _, Number q when q.IsOne -> b // x^1 = x
        | Number a, Number q when a.IsZero -> if q.Sign > 0 then zero else ComplexInfinity
        | Number a, Number q when q.IsInteger -> powerOfNumber a q
        | Number a, Number _ when a.IsOne -> one
        | Number a, Number q ->
            match Q.tryInt (Q.ofBig q.Denominator) |> Option.bind (fun k -> Q.tryRoot k a) with
            | Some r -> power (Number r) (Number(Q.ofBig q.Numerator)) // q^(m/n) = (q^(1/n))^m
            | None -> Power(b, x)
        | Power(inner, a), Number q when q.IsInteger -> power inner (multiply [ a; x ]) // (x^a)^n = x^(a·n)
        | Product fs, Number q when q.IsInteger -> multiply (fs |> List.map (fun f -> power f x)) // (x·y)^n = x^n·y^n
        | Exp u, _ -> exp (multiply [ x; u ]) // exp(u)^b = exp(b·u)
        | _ -> Power(b, x)

    and private powerOfNumber (a: Q) (k: Q) =
        match Q.tryInt k with
        | Some n -> Number(Q.Pow(a, n))
        | None -> Power(Number a, Number k) // an exponent too large to fold stays symbolic

    /// Exponential. exp(0) = 1, exp(ln x) = x (valid for x > 0, where exp(ln x) is defined).
    and exp (u: Expr) : Expr =
        match u with
        | Undefined
        | ComplexInfinity -> Undefined
        | Number q when q.IsZero -> one
        | Ln x -> x
        | _ -> Exp u

    /// Natural logarithm. ln(1) = 0, ln(exp x) = x (valid for real x), ln(0) = ComplexInfinity,
    /// ln(q) of a negative number is Undefined on the reals.
    let ln (u: Expr) : Expr =
        match u with
        | Undefined -> Undefined
        | ComplexInfinity -> ComplexInfinity
        | Number q when q.IsOne -> zero
        | Number q when q.IsZero -> ComplexInfinity
        | Number q when q.Sign < 0 -> Undefined
        | Exp x -> x
        | _ -> Ln u

    let negate (e: Expr) = multiply [ minusOne; e ]
    let subtract (a: Expr) (b: Expr) = add [ a; negate b ]
    let reciprocal (e: Expr) = power e minusOne
    let divide (a: Expr) (b: Expr) = multiply [ a; reciprocal b ]

    /// Division that refuses a denominator which is exactly zero instead of returning ComplexInfinity.
    let tryDivide (a: Expr) (b: Expr) : Result<Expr, string> =
        if b = zero then
            Error(sprintf "division of %O by zero" a)
        else
            Ok(divide a b)

    /// The immediate children of a node.
    let children (e: Expr) : Expr list =
        match e with
        | Sum xs
        | Product xs -> xs
        | Power(b, x) -> [ b; x ]
        | Ln x
        | Exp x -> [ x ]
        | Number _
        | Symbol _
        | Undefined
        | ComplexInfinity -> []

    /// Rebuild a node of the same kind from new children, through the smart constructors.
    let rebuild (e: Expr) (xs: Expr list) : Expr =
        match e, xs with
        | Sum _, _ -> add xs
        | Product _, _ -> multiply xs
        | Power _, [ b; x ] -> power b x
        | Ln _, [ x ] -> ln x
        | Exp _, [ x ] -> exp x
        | _ -> e

    /// Apply f bottom-up to every node, re-canonicalizing on the way up.
    let rec mapBottomUp (f: Expr -> Expr) (e: Expr) : Expr =
        match children e with
        | [] -> f e
        | xs -> f (rebuild e (List.map (mapBottomUp f) xs))

    /// Number of nodes.
    let rec size (e: Expr) : int = 1 + List.sumBy size (children e)

    /// The symbols that occur, sorted.
    let symbols (e: Expr) : string list =
        let rec go acc e =
            match e with
            | Symbol s -> Set.add s acc
            | _ -> children e |> List.fold go acc

        go Set.empty e |> Set.toList

    /// Whether the symbol occurs in the expression.
    let rec dependsOn (name: string) (e: Expr) : bool =
        match e with
        | Symbol s -> s = name
        | _ -> children e |> List.exists (dependsOn name)

/// Operators on expressions, through the smart constructors (an intrinsic extension).
type Expr with
    static member (+)(a: Expr, b: Expr) = Expr.add [ a; b ]
    static member (-)(a: Expr, b: Expr) = Expr.subtract a b
    static member (*)(a: Expr, b: Expr) = Expr.multiply [ a; b ]
    static member (/)(a: Expr, b: Expr) = Expr.divide a b
    static member (~-)(a: Expr) = Expr.negate a
    static member Pow(a: Expr, b: Expr) = Expr.power a b
    static member (+)(a: Expr, k: int) = Expr.add [ a; Expr.integer k ]
    static member (+)(k: int, a: Expr) = Expr.add [ Expr.integer k; a ]
    static member (*)(k: int, a: Expr) = Expr.multiply [ Expr.integer k; a ]
    static member (*)(a: Expr, k: int) = Expr.multiply [ a; Expr.integer k ]
    static member (/)(a: Expr, k: int) = Expr.divide a (Expr.integer k)
    static member (/)(k: int, a: Expr) = Expr.divide (Expr.integer k) a
    static member (-)(a: Expr, k: int) = Expr.subtract a (Expr.integer k)
    static member (-)(k: int, a: Expr) = Expr.subtract (Expr.integer k) a
