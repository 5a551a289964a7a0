namespace IclTheory.Symbolic

/// Sparse multivariate polynomials over ℚ in a fixed number of variables, with exact division
/// and a recursive (primitive pseudo-remainder) GCD. A monomial is an exponent array; terms are
/// kept in strictly decreasing lexicographic order (variable 0 the most significant) with
/// non-zero coefficients, so structural equality is equality of polynomials and the leading
/// term is the first. Equality compares the arrays element by element (the generic structural
/// equality on arrays of arrays is an order of magnitude slower and dominated the gcd-free paths).
[<CustomEquality; NoComparison>]
type Poly =
    {
        Vars: int
        Monomials: int[][]
        Coefficients: Q[]
    }

    override p.Equals(o: obj) =
        match o with
        | :? Poly as q ->
            obj.ReferenceEquals(p, q)
            || (p.Vars = q.Vars
                && p.Coefficients.Length = q.Coefficients.Length
                && Array.forall2 (fun (a: Q) (b: Q) -> a.Equals b) p.Coefficients q.Coefficients
                && Array.forall2
                    (fun (a: int[]) (b: int[]) ->
                        System.MemoryExtensions.SequenceEqual(System.ReadOnlySpan a, System.ReadOnlySpan b))
                    p.Monomials
                    q.Monomials)
        | _ -> false

    /// A hash of the term count and at most eight evenly spaced terms: O(1) on large polynomials
    /// (memo keys), while equal polynomials still hash alike.
    override p.GetHashCode() =
        let mutable h = System.HashCode()
        h.Add p.Vars
        h.Add p.Coefficients.Length
        let step = max 1 (p.Coefficients.Length / 8)

        for k in 0..step .. p.Coefficients.Length - 1 do
            h.Add(p.Coefficients.[k].GetHashCode())

            for e in p.Monomials.[k] do
                h.Add e

        h.ToHashCode()

module Poly =

    let private ofSorted (vars: int) (monomials: int[][]) (coefficients: Q[]) =
        {
            Vars = vars
            Monomials = monomials
            Coefficients = coefficients
        }

    let zero (vars: int) = ofSorted vars [||] [||]

    let constant (vars: int) (c: Q) =
        if c.IsZero then
            zero vars
        else
            ofSorted vars [| Array.zeroCreate vars |] [| c |]

    let one (vars: int) = constant vars Q.one

    /// The single term c·Π xⱼ^eⱼ for an exponent array e of length vars (not copied).
    let monomial (vars: int) (exponents: int[]) (c: Q) =
        if exponents.Length <> vars then
            invalidArg
                "exponents"
                (sprintf "the exponent array has %d entries, expected vars = %d" exponents.Length vars)

        if c.IsZero then
            zero vars
        else
            ofSorted vars [| exponents |] [| c |]

    /// The variable with index i.
    let variable (vars: int) (i: int) =
        ofSorted vars [| Array.init vars (fun j -> if j = i then 1 else 0) |] [| Q.one |]

    let isZero (p: Poly) = p.Coefficients.Length = 0

    /// Whether some term has a non-zero exponent of variable i (a scan that stops at the first).
    let dependsOn (i: int) (p: Poly) =
        let mutable k = 0

        while k < p.Monomials.Length && p.Monomials.[k].[i] = 0 do
            k <- k + 1

        k < p.Monomials.Length

    /// The number of non-zero exponents over all terms (factors, counted with the terms).
    let countNonZero (p: Poly) =
        let mutable count = 0

        for m in p.Monomials do
            for e in m do
                if e <> 0 then
                    count <- count + 1

        count

    /// Number of terms.
    let termCount (p: Poly) = p.Coefficients.Length

    /// The terms, leading first.
    let terms (p: Poly) : (int[] * Q) list =
        List.init p.Coefficients.Length (fun k -> p.Monomials.[k], p.Coefficients.[k])

    /// Lexicographic comparison of exponent arrays.
    let private compareMonomials (a: int[]) (b: int[]) =
        let mutable i = 0
        let mutable c = 0

        while c = 0 && i < a.Length do
            c <- compare a.[i] b.[i]
            i <- i + 1

        c

    /// The largest exponent of each of the vars variables over the arrays, and whether any is negative.
    let private exponentBounds (vars: int) (monomials: int[][]) =
        let largest = Array.zeroCreate vars
        let mutable negative = false

        for m in monomials do
            for i in 0 .. vars - 1 do
                largest.[i] <- max largest.[i] m.[i]
                negative <- negative || m.[i] < 0

        struct (largest, negative)

    /// The bits a field needs to hold every value from 0 to e.
    let private bitWidth (e: int) =
        32 - System.Numerics.BitOperations.LeadingZeroCount(uint32 e)

    /// The exponent arrays packed into one unsigned integer each, variable i in a field of widths.[i]
    /// bits at bit shift.[i], above the fields of the variables after it: variable 0 the most
    /// significant (the last variable when `fromLast`). Every exponent must fit its field.
    let private packWith (widths: int[]) (fromLast: bool) (monomials: int[][]) =
        let shift = Array.zeroCreate widths.Length
        let mutable total = 0

        for k in widths.Length - 1 .. -1 .. 0 do
            let i = if fromLast then widths.Length - 1 - k else k
            shift.[i] <- total
            total <- total + widths.[i]

        let keys = Array.zeroCreate monomials.Length

        for k in 0 .. monomials.Length - 1 do
            let m = monomials.[k]
            let mutable key = 0UL

            for i in 0 .. m.Length - 1 do
                key <- key ||| (uint64 m.[i] <<< shift.[i])

            keys.[k] <- key

        keys

    /// Keys below this count are sorted by Array.Sort; from it on, by `sortByKeys`'s radix passes.
    let private radixFrom = 128

    /// Sort keys ascending, carrying items along (as Array.Sort(keys, items) does): a least
    /// significant digit radix sort by bytes, over the bytes the largest key uses. It is stable;
    /// callers merge or never meet equal keys, so their order among themselves does not matter.
    let sortByKeys (keys: uint64[]) (items: int[]) =
        if keys.Length < radixFrom then
            System.Array.Sort(keys, items)
        else
            let mutable largest = 0UL

            for k in keys do
                largest <- largest ||| k

            let bytes = (64 - System.Numerics.BitOperations.LeadingZeroCount largest + 7) / 8
            let mutable fromKeys = keys
            let mutable fromItems = items
            let mutable toKeys = Array.zeroCreate keys.Length
            let mutable toItems = Array.zeroCreate items.Length
            let counts = Array.zeroCreate 257

            for b in 0 .. bytes - 1 do
                let shift = 8 * b
                System.Array.Clear counts

                for k in fromKeys do
                    let digit = int ((k >>> shift) &&& 255UL)
                    counts.[digit + 1] <- counts.[digit + 1] + 1

                for d in 0..255 do
                    counts.[d + 1] <- counts.[d + 1] + counts.[d]

                for i in 0 .. fromKeys.Length - 1 do
                    let digit = int ((fromKeys.[i] >>> shift) &&& 255UL)
                    let at = counts.[digit]
                    counts.[digit] <- at + 1
                    toKeys.[at] <- fromKeys.[i]
                    toItems.[at] <- fromItems.[i]

                let k, it = fromKeys, fromItems
                fromKeys <- toKeys
                fromItems <- toItems
                toKeys <- k
                toItems <- it

            // after an odd number of passes the sorted run sits in the scratch arrays
            if not (obj.ReferenceEquals(fromKeys, keys)) then
                System.Array.Copy(fromKeys, keys, keys.Length)
                System.Array.Copy(fromItems, items, items.Length)

    /// The exponent arrays packed into one unsigned integer each, when they fit: each variable in a
    /// field as wide as its largest exponent needs (none for a variable absent from every array),
    /// the widths summing to at most 64, and no exponent negative. Variable 0 takes the most
    /// significant field (the last variable when `fromLast`), so the numeric order of the keys is the
    /// lexicographic order of the arrays (read from that end).
    let tryPackKeys (fromLast: bool) (vars: int) (monomials: int[][]) : uint64[] voption =
        let struct (largest, negative) = exponentBounds vars monomials
        let widths = Array.map bitWidth largest

        if negative || Array.sum widths > 64 then
            ValueNone
        else
            ValueSome(packWith widths fromLast monomials)

    /// Terms listed in increasing monomial order (`order` holding the terms; `sameAsNext k` when the
    /// terms at positions k and k + 1 have one monomial) as a polynomial: read from the last position
    /// down, the lexicographically decreasing order, equal monomials are one with the sum of their
    /// coefficients (built from the group's first term), and zero sums are dropped.
    let private mergeSorted
        (vars: int)
        (order: int[])
        (sameAsNext: int -> bool)
        (monomialOf: int -> int[])
        (coefficientOf: int -> Q)
        =
        let monomials = ResizeArray<int[]>(order.Length)
        let coefficients = ResizeArray<Q>(order.Length)
        let mutable k = order.Length - 1

        while k >= 0 do
            let first = order.[k]
            let mutable s = coefficientOf first
            k <- k - 1

            while k >= 0 && sameAsNext k do
                s <- s + coefficientOf order.[k]
                k <- k - 1

            if not s.IsZero then
                monomials.Add(monomialOf first)
                coefficients.Add s

        ofSorted vars (monomials.ToArray()) (coefficients.ToArray())

    /// Sort terms (decreasing), merge equal monomials and drop zero coefficients. Packed monomials
    /// sort by their keys (equal monomials end up adjacent in any order, and their sum is exact).
    let internal ofTerms (vars: int) (items: ResizeArray<struct (int[] * Q)>) =
        let unsorted = Array.init items.Count (fun k -> let struct (m, _) = items.[k] in m)
        let index = Array.init items.Count id
        let coefficientOf k = let struct (_, c) = items.[k] in c

        match tryPackKeys false vars unsorted with
        | ValueSome keys ->
            sortByKeys keys index
            mergeSorted vars index (fun k -> keys.[k] = keys.[k + 1]) (fun k -> unsorted.[k]) coefficientOf
        | ValueNone ->
            System.Array.Sort(index, System.Comparison(fun a b -> compareMonomials unsorted.[a] unsorted.[b]))

            mergeSorted
                vars
                index
                (fun k -> compareMonomials unsorted.[index.[k]] unsorted.[index.[k + 1]] = 0)
                (fun k -> unsorted.[k])
                coefficientOf

    let add (p: Poly) (q: Poly) =
        if isZero p then
            q
        elif isZero q then
            p
        else
            let monomials = ResizeArray<int[]>(p.Monomials.Length + q.Monomials.Length)
            let coefficients = ResizeArray<Q>(p.Monomials.Length + q.Monomials.Length)
            let mutable i = 0
            let mutable j = 0

            while i < p.Monomials.Length || j < q.Monomials.Length do
                let c =
                    if i = p.Monomials.Length then 1
                    elif j = q.Monomials.Length then -1
                    else -(compareMonomials p.Monomials.[i] q.Monomials.[j])

                if c < 0 then
                    monomials.Add p.Monomials.[i]
                    coefficients.Add p.Coefficients.[i]
                    i <- i + 1
                elif c > 0 then
                    monomials.Add q.Monomials.[j]
                    coefficients.Add q.Coefficients.[j]
                    j <- j + 1
                else
                    let s = p.Coefficients.[i] + q.Coefficients.[j]

                    if not s.IsZero then
                        monomials.Add p.Monomials.[i]
                        coefficients.Add s

                    i <- i + 1
                    j <- j + 1

            ofSorted p.Vars (monomials.ToArray()) (coefficients.ToArray())

    /// Σᵢ pᵢ in one sort-and-merge of all their terms: a fold of pairwise sums would copy every
    /// partial sum, quadratic in the number of summands.
    let sum (vars: int) (ps: Poly list) =
        match ps with
        | [] -> zero vars
        | [ p ] -> p
        | [ p; q ] -> add p q
        | _ ->
            let items =
                ResizeArray<struct (int[] * Q)>(ps |> List.sumBy (fun p -> p.Coefficients.Length))

            for p in ps do
                for k in 0 .. p.Coefficients.Length - 1 do
                    items.Add(struct (p.Monomials.[k], p.Coefficients.[k]))

            ofTerms vars items

    let scale (c: Q) (p: Poly) =
        if c.IsZero then
            zero p.Vars
        elif c.IsOne then
            p
        else
            { p with
                Coefficients = Array.map (fun d -> c * d) p.Coefficients
            }

    let negate (p: Poly) = scale (Q.ofInt -1) p
    let subtract (p: Poly) (q: Poly) = add p (negate q)

    /// The product of two monomials: their exponent arrays added (a loop; Array.map2 calls a closure per entry).
    let private mulMonomial (a: int[]) (b: int[]) =
        let r = Array.zeroCreate a.Length

        for i in 0 .. a.Length - 1 do
            r.[i] <- a.[i] + b.[i]

        r

    /// The general product p·q by packed keys, or ValueNone when they do not fit: with a field per
    /// variable as wide as the largest exponent of the product needs (at most 64 bits in all, no
    /// exponent negative), the key of a product of two monomials is the sum of their keys (no field
    /// overflows), so the n·m products are sorted and merged as integers, as `ofTerms` merges them,
    /// and only the distinct monomials of the result are built as arrays.
    let private tryMultiplyPacked (p: Poly) (q: Poly) : Poly voption =
        let struct (dp, negativeP) = exponentBounds p.Vars p.Monomials
        let struct (dq, negativeQ) = exponentBounds q.Vars q.Monomials
        let widths = Array.map2 (fun a b -> bitWidth (a + b)) dp dq

        if negativeP || negativeQ || Array.sum widths > 64 then
            ValueNone
        else
            let keysP = packWith widths false p.Monomials
            let keysQ = packWith widths false q.Monomials
            let n, m = keysP.Length, keysQ.Length
            let keys = Array.zeroCreate (n * m)

            for i in 0 .. n - 1 do
                for j in 0 .. m - 1 do
                    keys.[i * m + j] <- keysP.[i] + keysQ.[j]

            let index = Array.init keys.Length id
            sortByKeys keys index

            ValueSome(
                mergeSorted
                    p.Vars
                    index
                    (fun k -> keys.[k] = keys.[k + 1])
                    (fun k -> mulMonomial p.Monomials.[k / m] q.Monomials.[k % m])
                    (fun k -> p.Coefficients.[k / m] * q.Coefficients.[k % m])
            )

    let multiply (p: Poly) (q: Poly) =
        if isZero p || isZero q then
            zero p.Vars
        elif q.Monomials.Length = 1 && Array.forall ((=) 0) q.Monomials.[0] then
            scale q.Coefficients.[0] p // a constant: the monomials stay as they are (shared, as in `scale`)
        elif p.Monomials.Length = 1 && Array.forall ((=) 0) p.Monomials.[0] then
            scale p.Coefficients.[0] q
        elif q.Monomials.Length = 1 then
            // a shift by one monomial keeps the order
            let m, c = q.Monomials.[0], q.Coefficients.[0]
            ofSorted p.Vars (Array.map (mulMonomial m) p.Monomials) (Array.map (fun d -> d * c) p.Coefficients)
        elif p.Monomials.Length = 1 then
            let m, c = p.Monomials.[0], p.Coefficients.[0]
            ofSorted p.Vars (Array.map (mulMonomial m) q.Monomials) (Array.map (fun d -> c * d) q.Coefficients)
        else
            match tryMultiplyPacked p q with
            | ValueSome product -> product
            | ValueNone ->
                let items = ResizeArray<struct (int[] * Q)>(p.Monomials.Length * q.Monomials.Length)

                for i in 0 .. p.Monomials.Length - 1 do
                    for j in 0 .. q.Monomials.Length - 1 do
                        items.Add(
                            struct (mulMonomial p.Monomials.[i] q.Monomials.[j], p.Coefficients.[i] * q.Coefficients.[j])
                        )

                ofTerms p.Vars items

    let rec pow (p: Poly) (k: int) =
        if k = 0 then one p.Vars
        elif k = 1 then p
        else multiply p (pow p (k - 1))

    /// The lexicographically leading monomial and its coefficient (p ≠ 0).
    let leading (p: Poly) = p.Monomials.[0], p.Coefficients.[0]

    /// Degree in variable i (−1 for the zero polynomial).
    let degreeIn (i: int) (p: Poly) =
        let mutable d = -1

        for m in p.Monomials do
            if m.[i] > d then
                d <- m.[i]

        d

    /// The least exponent of each variable over the terms of p ≠ 0: x^least is the largest monomial
    /// dividing p.
    let leastExponents (p: Poly) =
        let least = Array.copy p.Monomials.[0]

        for m in p.Monomials do
            for j in 0 .. least.Length - 1 do
                if m.[j] < least.[j] then
                    least.[j] <- m.[j]

        least

    /// The least exponent over the terms of p ≠ 0 of each variable j with `wanted j`, 0 for the
    /// others (exponents are not negative); the scan stops once every wanted minimum is 0. It runs
    /// from the last term: in lexicographic order the least exponents of the leading variables
    /// come last.
    let leastExponentsWhere (wanted: int -> bool) (p: Poly) =
        let vars = Array.init p.Vars id |> Array.filter wanted
        let least = Array.zeroCreate p.Vars
        let mutable positive = 0
        let last = p.Monomials.Length - 1

        for j in vars do
            least.[j] <- p.Monomials.[last].[j]

            if least.[j] > 0 then
                positive <- positive + 1

        let mutable k = last - 1

        while positive > 0 && k >= 0 do
            let m = p.Monomials.[k]

            for j in vars do
                if m.[j] < least.[j] then
                    if m.[j] = 0 then
                        positive <- positive - 1

                    least.[j] <- m.[j]

            k <- k - 1

        least

    /// Whether p, as a polynomial in the variables marked `outside` with coefficients polynomials in
    /// the others, has a non-zero constant coefficient: a term free of the other variables whose
    /// exponents in the outside ones no other term has. Then every common divisor of p and a
    /// polynomial free of the outside variables is a constant (it divides every coefficient).
    let hasConstantCoefficientIn (outside: bool[]) (p: Poly) =
        if outside.Length <> p.Vars then
            invalidArg "outside" (sprintf "outside marks %d variables, expected vars = %d" outside.Length p.Vars)

        let sameOutside (a: int[]) (b: int[]) =
            Seq.forall (fun j -> not outside.[j] || a.[j] = b.[j]) (seq { 0 .. a.Length - 1 })

        p.Monomials
        |> Array.exists (fun m ->
            Seq.forall (fun j -> outside.[j] || m.[j] = 0) (seq { 0 .. m.Length - 1 })
            && (p.Monomials |> Array.filter (sameOutside m) |> Array.length) = 1)

    /// Whether the polynomial is a constant.
    let isConstant (p: Poly) =
        p.Monomials.Length = 0
        || (p.Monomials.Length = 1 && Array.forall ((=) 0) p.Monomials.[0])

    /// Coefficients of p as a polynomial in variable i: degree → coefficient (free of variable i).
    /// Terms that agree in variable i keep their relative order when it is zeroed.
    let coefficientsIn (i: int) (p: Poly) : Map<int, Poly> =
        Array.zip p.Monomials p.Coefficients
        |> Array.groupBy (fun (m, _) -> m.[i])
        |> Array.map (fun (d, group) ->
            let monomials =
                group
                |> Array.map (fun (m, _) ->
                    let m = Array.copy m
                    m.[i] <- 0
                    m)

            d, ofSorted p.Vars monomials (Array.map snd group))
        |> Map.ofArray

    /// The coefficient of x_i^d in p (a polynomial free of variable i): the terms of degree d in x_i,
    /// in order, with x_i dropped (as `coefficientsIn` builds them).
    let private coefficientOfDegree (i: int) (d: int) (p: Poly) =
        let picked =
            Array.init p.Monomials.Length id
            |> Array.filter (fun k -> p.Monomials.[k].[i] = d)

        let monomials =
            picked
            |> Array.map (fun k ->
                let m = Array.copy p.Monomials.[k]
                m.[i] <- 0
                m)

        ofSorted p.Vars monomials (picked |> Array.map (fun k -> p.Coefficients.[k]))

    /// The leading coefficient of p in variable i (a polynomial free of variable i).
    let leadingIn (i: int) (p: Poly) = coefficientOfDegree i (degreeIn i p) p

    /// The coefficients of p in variable i by increasing degree, as `coefficientsIn` lists them,
    /// each built only when it is reached (a gcd with the first few is often already 1).
    let private coefficientsAscending (i: int) (p: Poly) : seq<Poly> =
        seq {
            for d in p.Monomials |> Array.map (fun m -> m.[i]) |> Array.distinct |> Array.sort do
                coefficientOfDegree i d p
        }

    let private monomialOf (vars: int) (i: int) (k: int) =
        ofSorted vars [| Array.init vars (fun j -> if j = i then k else 0) |] [| Q.one |]

    /// Necessary conditions for d | p (both ≠ 0), checked in O(terms) before the long division:
    /// the lexicographically first and last monomials of q·d are those of q times those of d, and
    /// deg_j(q·d) = deg_j q + deg_j d in every variable j. Only the variables of d are looked up in
    /// p, each until a term reaches d's degree in it.
    let private mayDivide (p: Poly) (d: Poly) =
        let divides (a: int[]) (b: int[]) = Array.forall2 (<=) a b

        let reaches (j: int) (k: int) =
            p.Monomials |> Array.exists (fun m -> m.[j] >= k)

        let degreesFit () =
            let mutable fit = true
            let mutable j = 0

            while fit && j < p.Vars do
                let k = degreeIn j d
                fit <- k = 0 || reaches j k
                j <- j + 1

            fit

        divides d.Monomials.[0] p.Monomials.[0]
        && divides d.Monomials.[d.Monomials.Length - 1] p.Monomials.[p.Monomials.Length - 1]
        && degreesFit ()

    /// Exact division by one term c·x^m: term by term, since x^m divides p exactly when it divides
    /// every monomial; subtracting m from every monomial keeps their order. O(terms), where the long
    /// division below copies the remainder once per quotient term.
    let private tryDivideByTerm (p: Poly) (m: int[]) (c: Q) : Poly option =
        if p.Monomials |> Array.forall (fun a -> Array.forall2 (>=) a m) then
            Some(
                ofSorted
                    p.Vars
                    (p.Monomials |> Array.map (fun a -> Array.map2 (-) a m))
                    (p.Coefficients |> Array.map (fun a -> a / c))
            )
        else
            None

    /// Exact division by a polynomial of t ≥ 2 terms, term by term (Johnson's division), without
    /// building the remainders: the next leading term of p − q·d is the largest of p's next term
    /// and, for each term dⱼ (j ≥ 1), the next product qᵢ·dⱼ not yet subtracted. Quotient terms come
    /// out in decreasing order, so each of those t − 1 product streams is decreasing too. d divides
    /// p exactly when every leading term met is divisible by lt(d) (else d ∤ p: None).
    let private tryDivideBySum (p: Poly) (d: Poly) : Poly option =
        let t = d.Monomials.Length
        let dm, dc = leading d
        let quotientMonomials = ResizeArray<int[]>()
        let quotientCoefficients = ResizeArray<Q>()
        // per stream j ≥ 1: the index of its next quotient term, and that product's monomial (null: not built)
        let next = Array.zeroCreate<int> t
        let heads: int[][] = Array.zeroCreate t
        let mutable pi = 0
        let mutable failed = false
        let mutable finished = false

        while not failed && not finished do
            for j in 1 .. t - 1 do
                if isNull heads.[j] && next.[j] < quotientMonomials.Count then
                    heads.[j] <- mulMonomial quotientMonomials.[next.[j]] d.Monomials.[j]

            let mutable best: int[] = if pi < p.Monomials.Length then p.Monomials.[pi] else null

            for j in 1 .. t - 1 do
                if not (isNull heads.[j]) && (isNull best || compareMonomials heads.[j] best > 0) then
                    best <- heads.[j]

            if isNull best then
                finished <- true
            else
                let mutable c = Q.zero

                if pi < p.Monomials.Length && compareMonomials p.Monomials.[pi] best = 0 then
                    c <- p.Coefficients.[pi]
                    pi <- pi + 1

                for j in 1 .. t - 1 do
                    if not (isNull heads.[j]) && compareMonomials heads.[j] best = 0 then
                        c <- c - quotientCoefficients.[next.[j]] * d.Coefficients.[j]
                        next.[j] <- next.[j] + 1
                        heads.[j] <- null

                if not c.IsZero then
                    if Array.forall2 (>=) best dm then
                        quotientMonomials.Add(Array.map2 (-) best dm)
                        quotientCoefficients.Add(c / dc)
                    else
                        failed <- true

        if failed then
            None
        else
            Some(ofSorted p.Vars (quotientMonomials.ToArray()) (quotientCoefficients.ToArray()))

    /// Exact division: Some q with p = q·d, or None when d does not divide p.
    let tryDivide (p: Poly) (d: Poly) : Poly option =
        if isZero d then
            None
        elif d.Monomials.Length = 1 then
            tryDivideByTerm p d.Monomials.[0] d.Coefficients.[0]
        elif not (isZero p) && not (mayDivide p d) then
            None
        else
            tryDivideBySum p d

    /// Make the lexicographically leading coefficient 1.
    let monic (p: Poly) =
        if isZero p then
            p
        else
            scale (Q.inverse (snd (leading p))) p

    /// Sparse pseudo-remainder of a by b in variable i: a·lc(b)^k mod b, reduced until deg_i < deg_i b.
    let private pseudoRemainder (i: int) (a: Poly) (b: Poly) =
        let db = degreeIn i b
        let lb = leadingIn i b

        let rec loop (r: Poly) =
            let dr = degreeIn i r

            if isZero r || dr < db then
                r
            else
                let lr = leadingIn i r
                loop (subtract (multiply lb r) (multiply (multiply lr (monomialOf r.Vars i (dr - db))) b))

        loop a

    let private variables (p: Poly) = List.init p.Vars id

    /// Whether p has degree 1 in some variable with a constant coefficient there: then its
    /// content in that variable is constant and p is irreducible. The coefficient of x_j^d is a
    /// non-zero constant when exactly one term has exponent d in x_j and no other variable.
    let private isLinearPrimitive (p: Poly) =
        let nonZeroExponents =
            p.Monomials
            |> Array.map (fun m -> m |> Array.sumBy (fun e -> if e <> 0 then 1 else 0))

        let linearIn j =
            let mutable degree = 0
            let mutable count0, only0, count1, only1 = 0, true, 0, true

            for k in 0 .. p.Monomials.Length - 1 do
                let e = p.Monomials.[k].[j]
                degree <- max degree e

                if e = 0 then
                    count0 <- count0 + 1
                    only0 <- only0 && nonZeroExponents.[k] = 0
                elif e = 1 then
                    count1 <- count1 + 1
                    only1 <- only1 && nonZeroExponents.[k] = 1

            degree = 1 && ((count1 = 1 && only1) || (count0 = 1 && only0))

        Seq.exists linearIn (seq { 0 .. p.Vars - 1 })

    /// Whether p = c·q for a rational c ≠ 0 (p, q ≠ 0).
    let private associates (p: Poly) (q: Poly) =
        p.Monomials.Length = q.Monomials.Length
        && Array.forall2 (fun (a: int[]) (b: int[]) -> compareMonomials a b = 0) p.Monomials q.Monomials
        && (let ratio = p.Coefficients.[0] / q.Coefficients.[0]
            Array.forall2 (fun (a: Q) (b: Q) -> a = ratio * b) p.Coefficients q.Coefficients)

    /// gcd(p, c·x^m) for p ≠ 0 and one term c·x^m: the divisors of a monomial are monomials, and
    /// x^g divides p when it divides every term, so the gcd is x^g with gⱼ = min(mⱼ, minₖ eₖⱼ).
    let private gcdWithTerm (p: Poly) (m: int[]) =
        monomial p.Vars (Array.map2 min m (leastExponents p)) Q.one

    /// The prime of the modular images, 2³¹ − 1 (products of two residues fit in an int64).
    [<Literal>]
    let private ImagePrime = 2147483647L

    let private mulMod (a: int64) (b: int64) = a * b % ImagePrime

    let rec private powMod (a: int64) (k: int) =
        if k = 0 then 1L
        elif k % 2 = 0 then powMod (mulMod a a) (k / 2)
        else mulMod a (powMod a (k - 1))

    /// a⁻¹ mod P by Fermat (a ≢ 0).
    let private inverseMod (a: int64) = powMod a (int ImagePrime - 2)

    /// The residues mod P of the integer polynomial ℓ·p, ℓ the lcm of p's denominators: None when
    /// P divides a denominator (then no image of p is taken).
    let private integerResidues (p: Poly) : int64[] option =
        let prime = System.Numerics.BigInteger ImagePrime

        if p.Coefficients |> Array.exists (fun c -> (c.Denominator % prime).IsZero) then
            None
        else
            let l =
                p.Coefficients
                |> Array.fold
                    (fun acc (c: Q) ->
                        acc / System.Numerics.BigInteger.GreatestCommonDivisor(acc, c.Denominator)
                        * c.Denominator)
                    System.Numerics.BigInteger.One

            let residue (c: Q) =
                let r = int64 ((c.Numerator * (l / c.Denominator)) % prime)
                if r < 0L then r + ImagePrime else r

            Some(Array.map residue p.Coefficients)

    /// The univariate image in variable i of ℓ·p mod P with every other variable j set to values[j]:
    /// its coefficients by degree in x_i.
    let private imageIn (i: int) (values: int64[]) (p: Poly) (residues: int64[]) =
        let image = Array.zeroCreate (degreeIn i p + 1)

        for k in 0 .. p.Monomials.Length - 1 do
            let m = p.Monomials.[k]
            let mutable c = residues.[k]

            for j in 0 .. m.Length - 1 do
                if j <> i && m.[j] <> 0 then
                    c <- mulMod c (powMod values.[j] m.[j])

            image.[m.[i]] <- (image.[m.[i]] + c) % ImagePrime

        image

    /// The degree of the gcd of two univariate polynomials over ℤ/P (coefficients by degree, leading
    /// coefficients non-zero), by Euclid's algorithm.
    let private gcdDegreeMod (a: int64[]) (b: int64[]) =
        let degree (c: int64[]) (upTo: int) =
            let mutable d = upTo

            while d >= 0 && c.[d] = 0L do
                d <- d - 1

            d

        let mutable r0, d0 = Array.copy a, a.Length - 1
        let mutable r1, d1 = Array.copy b, b.Length - 1

        if d0 < d1 then
            let t, dt = r0, d0
            r0 <- r1
            d0 <- d1
            r1 <- t
            d1 <- dt

        while d1 >= 0 do
            let inv = inverseMod r1.[d1]

            while d0 >= d1 do
                let f = mulMod r0.[d0] inv

                for k in 0..d1 do
                    let j = d0 - d1 + k
                    r0.[j] <- (r0.[j] - mulMod f r1.[k] + ImagePrime) % ImagePrime

                d0 <- degree r0 (d0 - 1)

            let t, dt = r0, d0
            r0 <- r1
            d0 <- d1
            r1 <- t
            d1 <- dt

        d0

    /// A proof that gcd(p, q) is a constant, from univariate images: if g = gcd(p, q) (primitive
    /// over ℤ, after clearing denominators) had degree d > 0 in x_i, then at any point a of the
    /// other variables where lc_i(p)(a) ≢ 0 mod P, lc_i(g)(a) ≢ 0 too (it divides lc_i(p) over ℤ by
    /// Gauss's lemma), so g(a) mod P divides both images with degree d and their gcd over ℤ/P has
    /// degree ≥ d. An image gcd of degree 0 in every shared variable therefore proves d = 0
    /// everywhere. False means "not proved" (a true common factor, or unlucky points): the exact
    /// algorithm decides. Three seeded points per variable.
    let provablyCoprime (p: Poly) (q: Poly) =
        match integerResidues p, integerResidues q with
        | Some rp, Some rq ->
            let coprimeIn i =
                degreeIn i p = 0
                || degreeIn i q = 0
                || Seq.exists
                    (fun attempt ->
                        let values =
                            Array.init p.Vars (fun j ->
                                (int64 (j + 1) * 104729L + int64 attempt * 7919L + int64 i * 31L + 2L) % ImagePrime)

                        let a = imageIn i values p rp
                        let b = imageIn i values q rq

                        a.[a.Length - 1] <> 0L && b.[b.Length - 1] <> 0L && gcdDegreeMod a b = 0)
                    (seq { 0..2 })

            Seq.forall coprimeIn (seq { 0 .. p.Vars - 1 })
        | _ -> false

    /// Greatest common divisor, monic (leading coefficient 1); gcd(0, 0) = 0. Variables present in
    /// only one argument are removed through contents first, so gcd(big, small) stays cheap.
    let rec gcd (p: Poly) (q: Poly) : Poly =
        if isZero p then
            monic q
        elif isZero q then
            monic p
        elif isConstant p || isConstant q then
            one p.Vars
        elif q.Monomials.Length = 1 then
            gcdWithTerm p q.Monomials.[0]
        elif p.Monomials.Length = 1 then
            gcdWithTerm q p.Monomials.[0]
        else
            let small, big =
                if p.Monomials.Length <= q.Monomials.Length then
                    p, q
                else
                    q, p

            // an irreducible argument either divides the other one or is coprime to it (two
            // irreducibles share a factor only when they are associates, and then small divides big);
            // big, usually the larger, is classified only when small is not irreducible
            if isLinearPrimitive small then
                if (tryDivide big small).IsSome then
                    monic small
                else
                    one p.Vars
            elif isLinearPrimitive big then
                if (tryDivide small big).IsSome then
                    monic big
                else
                    one p.Vars
            else
                let onlyIn (a: Poly) (b: Poly) j = degreeIn j a > 0 && degreeIn j b = 0

                match variables p |> List.tryFind (onlyIn small big) with
                | Some j -> gcd big (content j small) // the gcd is free of j
                | None ->
                    match variables p |> List.tryFind (onlyIn big small) with
                    | Some j -> gcdOfAll (coefficientsAscending j big) small
                    | None when provablyCoprime small big -> one p.Vars
                    | None ->
                        let i = variables p |> List.find (fun j -> degreeIn j small > 0)
                        let smallContent = content i small
                        let contentGcd = gcdOfAll (coefficientsAscending i big) smallContent
                        let smallPrimitive = primitive small smallContent

                        let a, b =
                            if degreeIn i big >= degreeIn i smallPrimitive then
                                big, smallPrimitive
                            else
                                smallPrimitive, big

                        multiply contentGcd (primitiveRemainderSequence i a b) |> monic

    /// gcd(acc, c₁, c₂, ...), stopping as soon as it is a constant.
    and private gcdOfAll (items: seq<Poly>) (acc: Poly) : Poly =
        let mutable g = acc
        use e = items.GetEnumerator()

        // a non-zero constant gcd stays one: the remaining items are not even built
        while (not (isConstant g) || isZero g) && e.MoveNext() do
            g <- gcd e.Current g

        if isZero g || isConstant g then
            (if isZero g then g else one g.Vars)
        else
            monic g

    /// The content of p in variable i: the gcd of its coefficients (free of variable i).
    and content (i: int) (p: Poly) : Poly =
        gcdOfAll (coefficientsAscending i p) (zero p.Vars)

    and private primitive (p: Poly) (c: Poly) : Poly =
        match tryDivide p c with
        | Some q -> q
        | None -> p

    /// Euclid's algorithm with primitive parts in variable i; the result is primitive in i.
    /// The first argument need not be primitive: prem(c·a, b) = c·prem(a, b).
    and private primitiveRemainderSequence (i: int) (a: Poly) (b: Poly) : Poly =
        let r = pseudoRemainder i a b

        if isZero r then
            primitive b (content i b)
        elif degreeIn i r = 0 then
            one a.Vars
        else
            let pr = primitive r (content i r)
            primitiveRemainderSequence i b pr
