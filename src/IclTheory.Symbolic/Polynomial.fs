namespace IclTheory.Symbolic

/// Sparse multivariate polynomials over ℚ in a fixed number of variables, with exact division
/// and a recursive (primitive pseudo-remainder) GCD. Monomials are exponent lists; the
/// monomial order is lexicographic with variable 0 the most significant.
type Poly = { Vars: int; Terms: Map<int list, Q> }

module Poly =

    let zero (vars: int) = { Vars = vars; Terms = Map.empty }

    let constant (vars: int) (c: Q) =
        if c.IsZero then
            zero vars
        else
            {
                Vars = vars
                Terms = Map.ofList [ List.replicate vars 0, c ]
            }

    let one (vars: int) = constant vars Q.one

    /// The variable with index i.
    let variable (vars: int) (i: int) =
        {
            Vars = vars
            Terms = Map.ofList [ List.init vars (fun j -> if j = i then 1 else 0), Q.one ]
        }

    let isZero (p: Poly) = p.Terms.IsEmpty

    let private addTerm (m: int list) (c: Q) (terms: Map<int list, Q>) =
        let s =
            match terms.TryFind m with
            | Some d -> c + d
            | None -> c

        if s.IsZero then terms.Remove m else terms.Add(m, s)

    let add (p: Poly) (q: Poly) =
        { p with
            Terms = Map.fold (fun acc m c -> addTerm m c acc) p.Terms q.Terms
        }

    let scale (c: Q) (p: Poly) =
        if c.IsZero then
            zero p.Vars
        else
            { p with
                Terms = p.Terms |> Map.map (fun _ d -> c * d)
            }

    let negate (p: Poly) = scale (Q.ofInt -1) p
    let subtract (p: Poly) (q: Poly) = add p (negate q)

    let private mulMonomial (a: int list) (b: int list) = List.map2 (+) a b

    let multiply (p: Poly) (q: Poly) =
        let terms =
            Seq.fold
                (fun acc (KeyValue(m1, c1)) ->
                    Seq.fold (fun acc2 (KeyValue(m2, c2)) -> addTerm (mulMonomial m1 m2) (c1 * c2) acc2) acc q.Terms)
                Map.empty
                p.Terms

        { Vars = p.Vars; Terms = terms }

    let rec pow (p: Poly) (k: int) =
        if k = 0 then one p.Vars
        elif k = 1 then p
        else multiply p (pow p (k - 1))

    /// The lexicographically leading monomial and its coefficient (p ≠ 0).
    let leading (p: Poly) =
        p.Terms |> Seq.maxBy (fun (KeyValue(m, _)) -> m) |> fun kv -> kv.Key, kv.Value

    /// Degree in variable i (−1 for the zero polynomial).
    let degreeIn (i: int) (p: Poly) =
        if isZero p then
            -1
        else
            p.Terms |> Seq.map (fun (KeyValue(m, _)) -> List.item i m) |> Seq.max

    /// Whether the polynomial is a constant.
    let isConstant (p: Poly) =
        p.Terms |> Seq.forall (fun (KeyValue(m, _)) -> List.forall ((=) 0) m)

    /// Coefficients of p as a polynomial in variable i: degree → coefficient (free of variable i).
    let coefficientsIn (i: int) (p: Poly) : Map<int, Poly> =
        p.Terms
        |> Seq.groupBy (fun (KeyValue(m, _)) -> List.item i m)
        |> Seq.map (fun (d, kvs) ->
            let terms =
                kvs
                |> Seq.map (fun (KeyValue(m, c)) -> List.mapi (fun j e -> if j = i then 0 else e) m, c)
                |> Map.ofSeq

            d, { Vars = p.Vars; Terms = terms })
        |> Map.ofSeq

    /// The leading coefficient of p in variable i (a polynomial free of variable i).
    let leadingIn (i: int) (p: Poly) = (coefficientsIn i p).[degreeIn i p]

    let private monomialOf (vars: int) (i: int) (k: int) =
        {
            Vars = vars
            Terms = Map.ofList [ List.init vars (fun j -> if j = i then k else 0), Q.one ]
        }

    /// Exact division: Some q with p = q·d, or None when d does not divide p.
    let tryDivide (p: Poly) (d: Poly) : Poly option =
        if isZero d then
            None
        else
            let dm, dc = leading d

            let rec loop (rest: Poly) (quotient: Poly) =
                if isZero rest then
                    Some quotient
                else
                    let rm, rc = leading rest

                    if List.forall2 (>=) rm dm then
                        let t =
                            {
                                Vars = p.Vars
                                Terms = Map.ofList [ List.map2 (-) rm dm, rc / dc ]
                            }

                        loop (subtract rest (multiply t d)) (add quotient t)
                    else
                        None

            loop p (zero p.Vars)

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

    /// Greatest common divisor, monic (leading coefficient 1); gcd(0, 0) = 0. Variables present in
    /// only one argument are removed through contents first, so gcd(big, small) stays cheap.
    let rec gcd (p: Poly) (q: Poly) : Poly =
        if isZero p then
            monic q
        elif isZero q then
            monic p
        elif isConstant p || isConstant q then
            one p.Vars
        else
            let small, big = if p.Terms.Count <= q.Terms.Count then p, q else q, p
            let onlyIn (a: Poly) (b: Poly) j = degreeIn j a > 0 && degreeIn j b = 0

            match variables p |> List.tryFind (onlyIn small big) with
            | Some j -> gcd big (content j small) // the gcd is free of j
            | None ->
                match variables p |> List.tryFind (onlyIn big small) with
                | Some j -> gcdOfAll (Map.values (coefficientsIn j big)) small
                | None ->
                    let i = variables p |> List.find (fun j -> degreeIn j small > 0)
                    let smallContent = content i small
                    let contentGcd = gcdOfAll (Map.values (coefficientsIn i big)) smallContent
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

        for c in items do
            if not (isConstant g) || isZero g then
                g <- gcd c g

        if isZero g || isConstant g then
            (if isZero g then g else one g.Vars)
        else
            monic g

    /// The content of p in variable i: the gcd of its coefficients (free of variable i).
    and content (i: int) (p: Poly) : Poly =
        gcdOfAll (Map.values (coefficientsIn i p)) (zero p.Vars)

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
