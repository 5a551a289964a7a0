namespace IclTheory.Symbolic

open System
open System.Collections.Generic
open System.Numerics
open IclTheory.Symbolic.Patterns

/// Rational normalization found no fixed point within its pass budget (`Rational.simplifyWithin`).
exception NoFixedPointException of Passes: int * Input: Expr with
    override e.Message =
        sprintf
            "simplify: no fixed point of rational normalization after %d passes (input of %d nodes)"
            e.Passes
            (Expr.size e.Input)

/// Rational-function normalization, an explicit opt-in pass: an expression is read as a ratio
/// of polynomials over ℚ in its kernels (symbols, ln, exp, powers with non-integer exponents),
/// put over common denominators, and common polynomial factors are cancelled. Each fraction is
/// c·N/(D₁^k₁⋯Dₘ^kₘ): N expanded with coprime integer coefficients, the denominator kept as the
/// product of the input's denominator factors that survive cancellation (as Together does).
/// Fractions whose denominators are coprime are combined only while the combined numerator
/// stays small; otherwise the result is their sum (still zero exactly when the input is), and a
/// large product is normalized factor by factor instead of being expanded.
module Rational =

    /// How a node is read: structure (sum, product, integer power, number) or a kernel,
    /// possibly inverted (x^(-a) is 1/x^a, exp(-u) is 1/exp(u)).
    type private Shape =
        | Structure
        | Kernel of Expr
        | InvertedKernel of Expr

    /// Whether e is structure (sum, product, integer power, number), without building the kernel
    /// of an inverted one as `shape` does.
    let private isStructure (e: Expr) =
        match e with
        | Number _
        | Sum _
        | Product _
        | Power(_, Integer _) -> true
        | _ -> false

    /// Numerator / Π factor^multiplicity, with every factor a non-constant primitive integer
    /// polynomial. Keeping the denominator factored keeps the gcds small (gcd(big, small)).
    type private Fraction = { Num: Poly; Den: (Poly * int) list }

    /// A sum of reduced fractions: at most one Laurent fraction (monomial denominator, polynomials
    /// included), and fractions whose non-monomial denominator parts are pairwise coprime and free
    /// of monomial content. Fractions are put over a common denominator only when their
    /// denominators share such a factor, so unrelated terms are not expanded against each other.
    /// Zero stays recognizable: such a sum vanishes only when every fraction does.
    type private Partial = Fraction list

    /// A sum that `toExpr` built from a polynomial over the kernels it uses, in canonical order, with
    /// every term c·Π kᵢ^eᵢ left as it is (no power of a kernel rewritten, no two factors merged):
    /// reading the sum back over those kernels gives the polynomial again.
    type private BuiltSum = { Kernels: Expr[]; Poly: Poly }

    /// Keys of results over sorted kernels: the kernels, and what was converted over them.
    let private overKernels<'T when 'T: equality> () =
        { new IEqualityComparer<struct (Expr[] * 'T)> with
            member _.Equals(struct (k1, p1), struct (k2, p2)) =
                k1.Length = k2.Length
                && Array.forall2 (fun a b -> Expr.Same(a, b)) k1 k2
                && p1 = p2

            member _.GetHashCode(struct (kernels, parts)) =
                HashCode.Combine(kernels.Length, hash parts)
        }

    /// What one normalization remembers across its passes, each a pure function of its key: the
    /// gcds by argument pair (later passes read the fractions of earlier ones again and ask for
    /// the same gcds), the sums `toExpr` built (by reference), `partialToExpr` and `toExpr` by
    /// kernels and what they convert (a confirming pass that reads back the parts a result was
    /// built from gets the result without building it again), the kernel of each inverted
    /// kernel met (by reference: a kernel such as exp(−z) recurs in many terms), and the layers
    /// it built (by reference: a confirming pass that meets one again checks it without a read).
    [<AllowNullLiteral>]
    type private Session() =
        member val Gcds = Dictionary<struct (Poly * Poly), Poly>()
        member val Sums = Dictionary<Expr, BuiltSum>(HashIdentity.Reference)
        member val Layouts = Dictionary<struct (Expr[] * Partial), Expr>(overKernels ())
        member val Polys = Dictionary<struct (Expr[] * Poly), Expr>(overKernels ())
        member val Inverted = Dictionary<Expr, Expr>(HashIdentity.Reference)
        /// The large layers normalized by reading so far (by reference): a later pass may meet one of
        /// them again as it was built (`readsBackAsItself` is asked only of those).
        member val Layers = HashSet<Expr>(HashIdentity.Reference)

        /// How the next pass settles a kernel (`simplifyKernels` with that pass's step), when the
        /// normalization iterates to a fixed point; null for a single pass, whose output stays as built.
        member val Settle: Func<Expr, Expr> = null with get, set

    /// The session of the normalization running on this thread; null outside one.
    [<AbstractClass; Sealed>]
    type private CurrentSession =
        [<System.ThreadStatic; DefaultValue>]
        static val mutable private session: Session

        static member Value
            with get () = CurrentSession.session
            and set v = CurrentSession.session <- v

    /// The kernel k of an inverted kernel 1/k, remembered in the session.
    let private invertedOnce (e: Expr) (invert: unit -> Expr) =
        let session = CurrentSession.Value

        if isNull session then
            invert ()
        else
            match session.Inverted.TryGetValue e with
            | true, k -> k
            | _ ->
                let k = invert ()
                session.Inverted.[e] <- k
                k

    let private shape (e: Expr) =
        if isStructure e then
            Structure
        else
            match e with
            | Power(b, (NegativeTerm as x)) -> InvertedKernel(invertedOnce e (fun () -> Expr.power b (Expr.negate x)))
            | Exp(NegativeTerm as u) -> InvertedKernel(invertedOnce e (fun () -> Expr.exp (Expr.negate u)))
            | _ -> Kernel e

    let private lcm (a: BigInteger) (b: BigInteger) =
        a / BigInteger.GreatestCommonDivisor(a, b) * b

    /// p = f·p' with p' having coprime integer coefficients and a positive leading coefficient.
    let private integerize (p: Poly) : Q * Poly =
        let mutable dens = BigInteger.One
        let mutable nums = BigInteger.Zero

        // integer denominators leave the lcm as it is, and the gcd stays 1 once it is 1
        for c in p.Coefficients do
            if not c.IsInteger then
                dens <- lcm dens c.Denominator

            if not nums.IsOne then
                nums <- BigInteger.GreatestCommonDivisor(nums, c.Numerator)

        let s =
            if (snd (Poly.leading p)).Sign < 0 then
                BigInteger.MinusOne
            else
                BigInteger.One

        let f = Q.create (s * nums) dens
        f, Poly.scale (Q.inverse f) p

    /// Poly.gcd, remembered for the current normalization (gcd is a pure function of its arguments).
    let private gcd (p: Poly) (q: Poly) =
        let session = CurrentSession.Value

        if isNull session then
            Poly.gcd p q
        else
            match session.Gcds.TryGetValue(struct (p, q)) with
            | true, g -> g
            | _ ->
                let g = Poly.gcd p q
                session.Gcds.[struct (p, q)] <- g
                g

    /// Run f with a session for this thread, unless an enclosing normalization already owns one.
    let private withSession (f: unit -> Expr) : Expr =
        if isNull CurrentSession.Value then
            CurrentSession.Value <- Session()

            try
                f ()
            finally
                CurrentSession.Value <- null
        else
            f ()

    /// The record of a sum that `toExpr` built in the current normalization.
    let private builtSum (e: Expr) : BuiltSum voption =
        match e with
        | Sum _ ->
            let session = CurrentSession.Value

            if isNull session then
                ValueNone
            else
                match session.Sums.TryGetValue e with
                | true, built -> ValueSome built
                | _ -> ValueNone
        | _ -> ValueNone

    /// The distinct kernels (structurally), latest first; `seen` holds those in `acc` for an O(1) test,
    /// and `met` the kernel nodes met so far by reference (a node met again adds nothing, and is
    /// neither classified nor hashed structurally again). A sum that `toExpr` built contributes the
    /// kernels it was built from, without a walk.
    let rec private collectKernelsInto (seen: HashSet<Expr>) (met: HashSet<Expr>) (acc: Expr list) (e: Expr) =
        match builtSum e with
        | ValueSome built ->
            built.Kernels
            |> Array.fold (fun acc k -> if seen.Add k then k :: acc else acc) acc
        | ValueNone ->
            match e with
            | Sum xs
            | Product xs -> List.fold (collectKernelsInto seen met) acc xs
            | Power(b, Integer _) -> collectKernelsInto seen met acc b // an integer exponent has no kernels
            | Number _ -> acc
            | _ when not (met.Add e) -> acc
            | _ ->
                match shape e with
                | Kernel k
                | InvertedKernel k -> if seen.Add k then k :: acc else acc
                | Structure -> acc

    let private collectKernels (e: Expr) =
        collectKernelsInto (HashSet<Expr>()) (HashSet<Expr>(HashIdentity.Reference)) [] e

    let private multiplicity (f: Poly) (den: (Poly * int) list) =
        den
        |> List.tryFind (fun (g, _) -> g = f)
        |> Option.map snd
        |> Option.defaultValue 0

    let private mergeDen (combine: int -> int -> int) (a: (Poly * int) list) (b: (Poly * int) list) =
        // distinct by a linear scan: a few factors, and Poly equality fails fast where hashing walks every term
        let factors =
            (a @ b)
            |> List.fold (fun acc (f, _) -> if List.contains f acc then acc else f :: acc) []
            |> List.rev

        factors |> List.map (fun f -> f, combine (multiplicity f a) (multiplicity f b))

    let private expandDen (vars: int) (den: (Poly * int) list) =
        den
        |> List.fold (fun acc (f, k) -> Poly.multiply acc (Poly.pow f k)) (Poly.one vars)

    /// 1/(c·f) as a fraction: the constant moves to the numerator.
    let private inverseOf (p: Poly) (k: int) : Fraction =
        let c, f = integerize p

        if Poly.isConstant f then
            {
                Num = Poly.constant p.Vars (Q.Pow(Q.inverse c, k))
                Den = []
            }
        else
            {
                Num = Poly.constant p.Vars (Q.Pow(Q.inverse c, k))
                Den = [ f, k ]
            }

    let private multiplyFractions (a: Fraction) (b: Fraction) : Fraction =
        {
            Num = Poly.multiply a.Num b.Num
            Den = mergeDen (+) a.Den b.Den |> List.filter (fun (_, k) -> k > 0)
        }

    /// The variables a polynomial depends on, as a bit set (kernels beyond 64 share the last bit).
    let private support (p: Poly) =
        let mutable bits = 0UL

        for i in 0 .. p.Vars - 1 do
            if Poly.dependsOn i p then
                bits <- bits ||| (1UL <<< min i 63)

        bits

    /// Cancel gcd(numerator, factor) for every copy of every denominator factor, except the factors
    /// known to be coprime to the numerator (`coprime`), which stay as they are: exactly what
    /// stripping them would leave, without the gcds and scans.
    let private cancelExcept (coprime: Poly -> bool) (fraction: Fraction) : Fraction =
        if fraction.Den.IsEmpty then
            fraction
        else
            /// Whether f shares no variable with num: then their gcd is a constant (a non-constant
            /// divisor shares a variable with both), found without computing it.
            let disjoint (num: Poly) (f: Poly) =
                let mutable shared = false
                let mutable i = 0

                while not shared && i < f.Vars do
                    shared <- Poly.dependsOn i f && Poly.dependsOn i num
                    i <- i + 1

                not shared

            /// The copies of a monomial factor f = c·x^a one at a time as `strip` takes them, in one
            /// pass: gcd(num, x^a) = x^g with g = min(a, the least exponents of num), so num loses x^g
            /// and the copy leaves c·x^(a−g) behind (or moves 1/c up when g = a); num is divided once.
            /// Only the variables of x^a need their least exponents (g is 0 elsewhere).
            let stripMonomial (num: Poly) (f: Poly) (copies: int) =
                let a, c = Poly.leading f
                let least = Poly.leastExponentsWhere (fun j -> a.[j] > 0) num

                let total = Array.zeroCreate a.Length
                let mutable scale = Q.one
                let mutable remaining = []
                let mutable left = copies

                while left > 0 do
                    let g = Array.init a.Length (fun j -> min a.[j] least.[j])

                    if Array.forall ((=) 0) g then
                        remaining <- remaining @ [ f, left ]
                        left <- 0
                    else
                        for j in 0 .. g.Length - 1 do
                            total.[j] <- total.[j] + g.[j]
                            least.[j] <- least.[j] - g.[j]

                        let rest = Array.init a.Length (fun j -> a.[j] - g.[j])

                        if Array.forall ((=) 0) rest then
                            scale <- scale * Q.inverse c
                        else
                            remaining <- remaining @ [ Poly.monomial f.Vars rest c, 1 ]

                        left <- left - 1

                let divided =
                    if Array.forall ((=) 0) total then
                        num
                    else
                        Poly.tryDivide num (Poly.monomial num.Vars total Q.one)
                        |> Option.defaultValue num

                Poly.scale scale divided, remaining

            let folder (num: Poly, den: (Poly * int) list) (f: Poly, k: int) =
                let rec strip num copies remaining =
                    if copies = 0 then
                        num, remaining
                    elif not (Poly.isZero num) && disjoint num f then
                        num, remaining @ [ f, copies ]
                    else
                        let g = gcd num f

                        if Poly.isConstant g then
                            num, remaining @ [ f, copies ]
                        else
                            let num = Poly.tryDivide num g |> Option.defaultValue num
                            let rest = Poly.tryDivide f g |> Option.defaultValue f

                            if Poly.isConstant rest then
                                // f = c·g: the constant c stays in the denominator, so move 1/c up
                                strip (Poly.scale (Q.inverse (snd (Poly.leading rest))) num) (copies - 1) remaining
                            else
                                strip num (copies - 1) (remaining @ [ rest, 1 ])

                let num, kept =
                    if coprime f && not (Poly.isZero num) then
                        num, [ f, k ] // what stripping a factor coprime to num leaves
                    elif Poly.termCount f = 1 && not (Poly.isZero num) then
                        stripMonomial num f k
                    else
                        strip num k []

                num, den @ kept

            let num, den = fraction.Den |> List.fold folder (fraction.Num, [])
            let den = den |> List.fold (fun acc (f, k) -> mergeDen (+) acc [ f, k ]) []

            let normalized =
                den
                |> List.fold
                    (fun (c: Q, fs) (f, k) ->
                        let cf, f = integerize f
                        c / Q.Pow(cf, k), fs @ [ f, k ])
                    (Q.one, [])

            {
                Num = Poly.scale (fst normalized) num
                Den = snd normalized
            }

    /// Cancel gcd(numerator, factor) for every copy of every denominator factor.
    let private cancel (fraction: Fraction) : Fraction = cancelExcept (fun _ -> false) fraction

    /// Whether some variable divides every term (so the factor shares it with monomials).
    let private hasMonomialContent (f: Poly) =
        let mutable found = false
        let mutable j = 0

        while not found && j < f.Vars do
            found <- f.Monomials |> Array.forall (fun m -> m.[j] > 0)
            j <- j + 1

        found

    /// A non-monomial primitive denominator factor with its support, the only factors that can
    /// link two fractions: monomials never do, those are all gathered in the Laurent group.
    [<Struct>]
    type private Link = { Factor: Poly; Support: uint64 }

    let private links (f: Fraction) : Link[] =
        f.Den
        |> List.filter (fun (d, _) -> Poly.termCount d > 1)
        |> List.map (fun (d, _) -> { Factor = d; Support = support d })
        |> Array.ofList

    /// Whether two such factors have a non-constant common divisor; factors in disjoint variables
    /// are coprime without a gcd.
    let private shareDivisor (f: Link) (g: Link) =
        f.Support &&& g.Support <> 0UL
        && (f.Factor = g.Factor || not (Poly.isConstant (gcd f.Factor g.Factor)))

    let private sharesFactor (a: Link[]) (b: Link[]) =
        a |> Array.exists (fun f -> b |> Array.exists (shareDivisor f))

    /// A fraction of the Laurent group: its denominator is a monomial, or has a non-monomial
    /// factor that some variable divides (which would share that variable with monomials).
    let private isLaurent (f: Fraction) =
        f.Den |> List.forall (fun (d, _) -> Poly.termCount d = 1)
        || f.Den
           |> List.exists (fun (d, _) -> Poly.termCount d > 1 && hasMonomialContent d)

    /// The sum of fractions as one fraction (not reduced when monomial factors overlap: cancel it).
    /// Every numerator is lifted once to the common denominator (a pairwise fold would lift and
    /// copy each partial sum again), and the lifted numerators are summed in one merge.
    let private combineAll (vars: int) (parts: Partial) : Fraction =
        let den = parts |> List.fold (fun acc f -> mergeDen max acc f.Den) []

        // the missing denominator factors are multiplied together first (they are small; several
        // monomial factors make one), then into the numerator once
        let lift (x: Fraction) =
            den
            |> List.fold
                (fun acc (f, k) ->
                    match k - multiplicity f x.Den with
                    | 0 -> acc
                    | m -> Poly.multiply acc (Poly.pow f m))
                (Poly.one vars)
            |> Poly.multiply x.Num

        {
            Num = parts |> List.map lift |> Poly.sum vars
            Den = den
        }

    let private addAndCancel (vars: int) (parts: Fraction list) =
        match parts with
        | [ f ] -> f
        | _ -> parts |> combineAll vars |> cancel

    /// Restore the Partial invariant: the Laurent fractions are added into one; the others are
    /// grouped by shared non-monomial denominator factors, each group added and cancelled. Times
    /// the lcm M of the monomials, each group is Nᵢ'/Dᵢ with Dᵢ coprime to Nᵢ' and to the other
    /// denominators, so Dᵢ divides Nᵢ' when the sum vanishes: every group is then zero.
    let private regroup (vars: int) (fractions: Fraction list) : Partial =
        match fractions with
        | [] -> []
        | [ f ] -> if Poly.isZero f.Num then [] else [ f ]
        | _ ->
            let items = Array.ofList fractions
            let parent = Array.init items.Length id

            let rec find i =
                if parent.[i] = i then i else find parent.[i]

            let laurent = items |> Array.map isLaurent
            let mutable firstLaurent = -1

            for i in 0 .. items.Length - 1 do
                if laurent.[i] then
                    if firstLaurent < 0 then
                        firstLaurent <- i
                    else
                        parent.[i] <- firstLaurent

            // only pairs with a non-Laurent member can link (all Laurent ones are one group already)
            if Array.exists not laurent then
                let linked = items |> Array.map links

                for i in 0 .. items.Length - 1 do
                    for j in i + 1 .. items.Length - 1 do
                        if
                            not (laurent.[i] && laurent.[j])
                            && find i <> find j
                            && sharesFactor linked.[i] linked.[j]
                        then
                            parent.[find j] <- find i

            // the members of each group, listed at its root
            let members: ResizeArray<Fraction>[] = Array.zeroCreate items.Length

            for i in 0 .. items.Length - 1 do
                let root = find i

                if isNull members.[root] then
                    members.[root] <- ResizeArray<Fraction>()

                members.[root].Add items.[i]

            let groups =
                members
                |> Array.filter (fun m -> not (isNull m))
                |> Array.map (fun m -> addAndCancel vars (List.ofSeq m))

            // a group whose denominator cancelled down to a monomial joins the Laurent group
            let laurentGroups, others = groups |> Array.partition isLaurent

            let laurentPart =
                if laurentGroups.Length = 0 then
                    []
                else
                    [ addAndCancel vars (List.ofArray laurentGroups) ]

            laurentPart @ List.ofArray others
            |> List.filter (fun f -> not (Poly.isZero f.Num))

    /// The denominator factors of x·y that share no factor with its numerator, known without a gcd
    /// for reduced fractions x and y (every member of a partial is one) when one numerator is a
    /// non-zero constant: with y's numerator a constant, x's factors are coprime to x's numerator
    /// and so to the product's; with x's, y's are (stripping the others only divides the numerator).
    let private knownCoprime (x: Fraction) (y: Fraction) : Poly -> bool =
        let within (den: (Poly * int) list) (f: Poly) = multiplicity f den > 0

        if Poly.isZero x.Num || Poly.isZero y.Num then
            fun _ -> false
        elif Poly.isConstant y.Num then
            within x.Den
        elif Poly.isConstant x.Num then
            within y.Den
        else
            fun _ -> false

    /// Most parts a product distributes over; beyond it both sides go over one denominator first,
    /// so the number of partial products (and of coprimality checks among them) stays bounded.
    let private distributeLimit = 8

    let private multiplyPartials (vars: int) (a: Partial) (b: Partial) : Partial =
        // a combined sum is cancelled, so that every fraction multiplied is reduced (`knownCoprime`)
        let a, b =
            if List.length a * List.length b > distributeLimit then
                [ combineAll vars a |> cancel ], [ combineAll vars b |> cancel ]
            else
                a, b

        [
            for x in a do
                for y in b do
                    let product = multiplyFractions x y
                    // a product of polynomials, or with a constant, needs no cancellation
                    if
                        (x.Den.IsEmpty && (y.Den.IsEmpty || Poly.isConstant x.Num))
                        || (y.Den.IsEmpty && Poly.isConstant y.Num)
                    then
                        product
                    else
                        cancelExcept (knownCoprime x y) product
        ]
        |> regroup vars

    /// A factor of a monomial: a number, a kernel, or a kernel to a non-negative integer power.
    let private isMonomialFactor (f: Expr) =
        match f with
        | Number _ -> true
        | Power(b, Integer k) ->
            k >= 0
            && (match shape b with
                | Kernel _ -> true
                | _ -> false)
        | _ ->
            match shape f with
            | Kernel _ -> true
            | _ -> false

    /// The product of monomial factors as one term c·Π kⱼ^eⱼ, without the partial products.
    let private monomialOf (kernels: Expr list) (factors: Expr list) : Poly =
        let n = List.length kernels
        let exponents = Array.zeroCreate n
        let mutable c = Q.one

        let addExponent (k: Expr) (m: int) =
            let j = List.findIndex (fun x -> Expr.Same(x, k)) kernels
            exponents.[j] <- exponents.[j] + m

        for f in factors do
            match f with
            | Number q -> c <- c * q
            | Power(b, Integer m) -> addExponent b m
            | _ -> addExponent f 1

        Poly.monomial n exponents c

    /// The positions of the sorted kernels `sub` in the sorted kernels `all`, when every one of them
    /// occurs there (then in the same order).
    let private positionsIn (all: Expr[]) (sub: Expr[]) : int[] voption =
        let position =
            sub |> Array.map (fun k -> Array.FindIndex(all, (fun c -> Expr.Same(c, k))))

        if
            position |> Array.exists (fun j -> j < 0)
            || position |> Array.pairwise |> Array.exists (fun (a, b) -> a >= b)
        then
            ValueNone
        else
            ValueSome position

    /// p over `vars` variables, its variable i moved to position.[i]. Increasing positions keep the
    /// monomials in lexicographic order (the columns put in between are zero in every term).
    let private embed (vars: int) (position: int[]) (p: Poly) : Poly =
        let move (m: int[]) =
            let r = Array.zeroCreate vars

            for i in 0 .. m.Length - 1 do
                r.[position.[i]] <- m.[i]

            r

        {
            Vars = vars
            Monomials = Array.map move p.Monomials
            Coefficients = p.Coefficients
        }

    /// The sorted union of sorted kernel lists.
    let private unionOf (lists: Expr[] list) : Expr[] =
        lists |> Array.concat |> Array.distinct |> Array.sortWith Expr.order

    /// p over the sorted kernels `kernels`, embedded over `all`, which holds every one of them.
    let private embedIn (all: Expr[]) (kernels: Expr[]) (p: Poly) : Poly =
        embed all.Length (positionsIn all kernels |> ValueOption.get) p

    /// A built sum read over the sorted kernels of the current layer: its polynomial with every
    /// exponent moved to the position of its kernel there (None when a kernel it uses is absent).
    /// Both kernel lists are in the canonical order, so the move keeps the monomials in
    /// lexicographic order and the result is the polynomial that reading the sum term by term gives.
    let private readBuilt (kernels: Expr list) (built: BuiltSum) : Poly voption =
        let current = Array.ofList kernels
        let n = current.Length

        if
            n = built.Kernels.Length
            && Array.forall2 (fun a b -> Expr.Same(a, b)) current built.Kernels
        then
            ValueSome built.Poly
        else
            positionsIn current built.Kernels
            |> ValueOption.map (fun position -> embed n position built.Poly)

    /// Numerator and factored denominator of every part; None when a denominator vanishes identically.
    let rec private toPartial (kernels: Expr list) (e: Expr) : Partial option =
        let n = List.length kernels

        let var k =
            Poly.variable n (List.findIndex ((=) k) kernels)

        let whole p =
            if Poly.isZero p then [] else [ { Num = p; Den = [] } ]

        let combine f (xs: Expr list) start =
            xs
            |> List.fold (fun acc x -> Option.map2 f acc (toPartial kernels x)) (Some start)

        match e, shape e with
        | Number q, _ -> Some(whole (Poly.constant n q))
        | Sum xs, _ ->
            match builtSum e |> ValueOption.bind (readBuilt kernels) with
            | ValueSome p -> Some(whole p) // what adding up its terms' parts gives
            | ValueNone ->
                // collect every summand's parts, then group once
                let summands = xs |> List.map (toPartial kernels)

                if summands |> List.exists Option.isNone then
                    None
                else
                    let parts = summands |> List.collect Option.get

                    if parts |> List.forall (fun f -> f.Den.IsEmpty) then
                        // polynomials only: regroup would put them all in the Laurent group and add them
                        Some(whole (parts |> List.map (fun f -> f.Num) |> Poly.sum n))
                    else
                        Some(regroup n parts)
        | Product xs, _ when List.forall isMonomialFactor xs -> Some(whole (monomialOf kernels xs))
        | Product xs, _ -> combine (multiplyPartials n) xs (whole (Poly.one n))
        | Power(b, Integer k), _ ->
            toPartial kernels b
            |> Option.bind (fun parts ->
                match parts with
                | _ :: _ :: _ when k >= 2 ->
                    // a power of a sum of parts: one reduced fraction first, then its power
                    let fb = combineAll n parts |> cancel

                    Some
                        [
                            {
                                Num = Poly.pow fb.Num k
                                Den = fb.Den |> List.map (fun (f, m) -> f, m * k)
                            }
                        ]
                | [ fb ] when k >= 0 ->
                    // a power of a reduced fraction is reduced
                    Some
                        [
                            {
                                Num = Poly.pow fb.Num k
                                Den = fb.Den |> List.map (fun (f, m) -> f, m * k)
                            }
                        ]
                | _ when k >= 0 ->
                    Some(List.fold (fun acc _ -> multiplyPartials n acc parts) (whole (Poly.one n)) [ 1..k ])
                | _ ->
                    let fb = combineAll n parts |> cancel

                    if Poly.isZero fb.Num then
                        None
                    else
                        let inverted = inverseOf fb.Num (-k)
                        let lifted = expandDen n (fb.Den |> List.map (fun (f, m) -> f, m * (-k)))

                        Some
                            [
                                { inverted with
                                    Num = Poly.multiply inverted.Num lifted
                                }
                            ])
        | _, InvertedKernel k -> Some [ { Num = Poly.one n; Den = [ var k, 1 ] } ]
        | _, Kernel k -> Some(whole (var k))
        | _, Structure -> None

    /// Exponent arrays compared from the last kernel backwards. With the kernels in canonical
    /// order this is close to how the canonical sum order lists the terms c·Π kᵢ^eᵢ (most
    /// significant factor last), so the sum constructor's merge sort meets few ordered runs.
    let private compareFromLastKernel (a: int[]) (b: int[]) =
        let mutable i = a.Length - 1
        let mutable c = 0

        while c = 0 && i >= 0 do
            c <- compare a.[i] b.[i]
            i <- i - 1

        c

    /// Sums longer than this are listed in `compareFromLastKernel` order (shorter ones are
    /// insertion-sorted by the sum constructor at no gain from it).
    let private presortLength = 16

    /// How the product constructor treats a kernel kᵢ as a factor of a monomial: `Class` groups the
    /// kernels it would merge (those of one base x, as x and x^(1/2); −1 for exps, which all merge), `Powers` tells
    /// whether kᵢ^e stays kᵢ^e for every e ≥ 2 (a symbol or ln; (x^a)^e and exp(u)^e are rewritten),
    /// and `Plain` whether kᵢ reads back as the kernel kᵢ itself.
    [<Struct>]
    type private KernelFactor =
        {
            Class: int
            Powers: bool
            Plain: bool
        }

    /// The base under which the product constructor collects a factor: x for x^a, else the factor.
    let private baseOf (k: Expr) =
        match k with
        | Power(b, _) -> b
        | _ -> k

    let private kernelFactors (kernels: Expr[]) : KernelFactor[] =
        let bases = kernels |> Array.map baseOf

        kernels
        |> Array.mapi (fun i k ->
            let isExp =
                match k with
                | Exp _ -> true
                | _ -> false

            {
                Class =
                    if isExp then
                        -1
                    else
                        Array.FindIndex(bases, (fun b -> Expr.Same(b, bases.[i])))
                Powers =
                    (match k with
                     | Symbol _
                     | Ln _ -> true
                     | _ -> false)
                Plain =
                    (match k, shape k with
                     | (Symbol _ | Ln _ | Exp _ | Power _), Kernel k' -> Expr.Same(k', k)
                     | _ -> false)
            })

    /// Whether the monomial's factors kᵢ^eᵢ are built as they are: every kernel plain, no power
    /// rewritten (eᵢ = 1 unless kᵢ keeps its powers, eᵢ within the integers the reader accepts),
    /// and no two factors merged by the product (one kernel per class, one exp at most).
    let private buildsAsIs (factors: KernelFactor[]) (seen: int[]) (stamp: int) (m: int[]) =
        let mutable clean = true
        let mutable expSeen = false
        let mutable i = 0

        while clean && i < m.Length do
            let e = m.[i]

            if e <> 0 then
                let f = factors.[i]

                clean <- f.Plain && (e = 1 || (f.Powers && e <= Q.LargestInt))

                if f.Class < 0 then
                    clean <- clean && not expSeen
                    expSeen <- true
                else
                    clean <- clean && seen.[f.Class] <> stamp
                    seen.[f.Class] <- stamp

            i <- i + 1

        clean

    /// Whether every monomial of p is built as it is (`buildsAsIs`) over the kernels.
    let private builtAsIs (kernels: Expr[]) (p: Poly) =
        let factors = kernelFactors kernels
        let seen = Array.zeroCreate kernels.Length
        let mutable clean = true
        let mutable k = 0

        while clean && k < p.Monomials.Length do
            clean <- buildsAsIs factors seen (k + 1) p.Monomials.[k]
            k <- k + 1

        clean

    /// Whether the kernels are in strictly increasing canonical order.
    let private strictlySorted (kernels: Expr[]) =
        Array.pairwise kernels |> Array.forall (fun (a, b) -> Expr.order a b < 0)

    /// The indices of exponent arrays in `compareFromLastKernel` order, by comparing them.
    let private orderFromLastCompared (rows: int[][]) =
        let index = Array.init rows.Length id
        Array.Sort(index, Comparison(fun i j -> compareFromLastKernel rows.[i] rows.[j]))
        index

    /// The indices of distinct exponent arrays of length vars in `compareFromLastKernel` order, sorted
    /// by packed keys where they fit (distinct arrays, distinct keys).
    let private orderFromLast (vars: int) (rows: int[][]) =
        match Poly.tryPackKeys true vars rows with
        | ValueSome keys ->
            let index = Array.init rows.Length id
            Poly.sortByKeys keys index
            index
        | ValueNone -> orderFromLastCompared rows

    /// The monomial indices of p in `compareFromLastKernel` order.
    let private termOrder (p: Poly) = orderFromLast p.Vars p.Monomials

    /// The exponent under which `Expr.order` compares the factor kᵢ^e with another power of its base:
    /// a for a kernel b^a (then e = 1), else e.
    let private factorExponent (kernels: Expr[]) (i: int) (e: int) =
        match kernels.[i] with
        | Power(_, a) when e = 1 -> a
        | _ -> Expr.integer e

    /// The monomial indices in the canonical order of their terms c·Π kᵢ^eᵢ, for kernels in strictly
    /// increasing canonical order and monomials built as they are (`buildsAsIs`). `Expr.order`
    /// compares two terms from their last factor backwards, the factors by base and then by
    /// exponent, a term ending first (or in its coefficient) being the smaller: that is the
    /// lexicographic order, read from the last, of one column per base (each exp its own) holding
    /// the rank of the term's factor of that base among the factors of that base in p (0 when the
    /// term has none; the exponent itself for a base of one kernel). When no two kernels share a
    /// base the columns are the monomials (`termOrder`).
    let private canonicalTermOrder (kernels: Expr[]) (p: Poly) =
        let n = kernels.Length
        let factors = kernelFactors kernels

        let column i =
            if factors.[i].Class < 0 then i else factors.[i].Class

        if Array.forall (fun i -> column i = i) (Array.init n id) then
            termOrder p
        else
            let columns = Array.init n column |> Array.distinct
            let position = Array.init n (fun i -> Array.IndexOf(columns, column i))
            // rank.[i].[e]: the rank of kᵢ^e among the factors of its base in p; null for a base of
            // one kernel, whose exponent serves as the rank
            let rank: int[][] = Array.zeroCreate n

            let shared =
                Array.init n id
                |> Array.groupBy column
                |> Array.map snd
                |> Array.filter (fun members -> members.Length > 1)

            for members in shared do
                for i in members do
                    rank.[i] <- Array.zeroCreate (Poly.degreeIn i p + 1)

            // mark the exponents that occur (rank 1 for now)
            for m in p.Monomials do
                for members in shared do
                    for i in members do
                        rank.[i].[m.[i]] <- 1

            for members in shared do
                let used =
                    [|
                        for i in members do
                            for e in 1 .. rank.[i].Length - 1 do
                                if rank.[i].[e] = 1 then
                                    struct (i, e)
                    |]

                used
                |> Array.sortInPlaceWith (fun (struct (i, e)) (struct (j, f)) ->
                    Expr.order (factorExponent kernels i e) (factorExponent kernels j f))

                used |> Array.iteri (fun r (struct (i, e)) -> rank.[i].[e] <- r + 1)

            // each column as wide as its largest entry needs, the last column most significant
            let largest = Array.zeroCreate columns.Length

            for m in p.Monomials do
                for i in 0 .. n - 1 do
                    if m.[i] > 0 then
                        let entry = if isNull rank.[i] then m.[i] else rank.[i].[m.[i]]
                        largest.[position.[i]] <- max largest.[position.[i]] entry

            let widths =
                largest |> Array.map (fun e -> 32 - BitOperations.LeadingZeroCount(uint32 e))

            if Array.sum widths > 64 then
                let rows =
                    p.Monomials
                    |> Array.map (fun m ->
                        let row = Array.zeroCreate columns.Length

                        for i in 0 .. n - 1 do
                            if m.[i] <> 0 then
                                row.[position.[i]] <- if isNull rank.[i] then m.[i] else rank.[i].[m.[i]]

                        row)

                orderFromLastCompared rows // the rows were just found not to pack
            else
                // a monomial built as it is has one factor per column at most: its key is the sum of
                // its entries, each shifted to its column (column 0 lowest), as orderFromLast packs rows
                let shift = Array.scan (+) 0 widths
                let keys = Array.zeroCreate p.Monomials.Length

                for k in 0 .. p.Monomials.Length - 1 do
                    let m = p.Monomials.[k]
                    let mutable key = 0UL

                    for i in 0 .. n - 1 do
                        if m.[i] <> 0 then
                            let entry = if isNull rank.[i] then m.[i] else rank.[i].[m.[i]]
                            key <- key + (uint64 entry <<< shift.[position.[i]])

                    keys.[k] <- key

                let index = Array.init keys.Length id
                Poly.sortByKeys keys index
                index

    /// The term c·Π kᵢ^eᵢ through the constructors: `Expr.multiply` of c and the `Expr.power`s.
    let private termThroughConstructors (kernels: Expr[]) (m: int[]) (c: Q) : Expr =
        let mutable factors = []

        for i in m.Length - 1 .. -1 .. 0 do
            if m.[i] <> 0 then
                factors <- Expr.power kernels.[i] (Expr.integer m.[i]) :: factors

        Expr.multiply (Number c :: factors)

    /// The same term built node by node, for a monomial built as it is (`buildsAsIs`) over kernels
    /// in strictly increasing canonical order. Then `Expr.power kᵢ eᵢ` is kᵢ^eᵢ itself, and the
    /// factors, taken by increasing kernel index, are in canonical order (no two share a base, so
    /// kᵢ^e and kⱼ^f compare as kᵢ and kⱼ do) with distinct bases and one exp at most:
    /// `Expr.multiply` keeps them as they are behind the coefficient (dropped when 1).
    let private termDirectly (kernels: Expr[]) (m: int[]) (c: Q) : Expr =
        let mutable factors = []

        for i in m.Length - 1 .. -1 .. 0 do
            if m.[i] = 1 then
                factors <- kernels.[i] :: factors
            elif m.[i] <> 0 then
                factors <- Power(kernels.[i], Expr.integer m.[i]) :: factors

        match factors with
        | [] -> Number c
        | [ f ] when c.IsOne -> f
        | fs when c.IsOne -> Product fs
        | fs -> Product(Number c :: fs)

    /// Σ c·Π kᵢ^eᵢ through `Expr.add`, the terms built as they are where they can be (kernels in
    /// order, monomial built as it is), else through the constructors.
    let private buildThroughConstructors (kernels: Expr[]) (p: Poly) : Expr =
        let index =
            if p.Monomials.Length > presortLength then
                termOrder p
            else
                Array.init p.Monomials.Length id

        let sorted = strictlySorted kernels
        let factors = kernelFactors kernels
        let seen = Array.zeroCreate kernels.Length

        index
        |> Array.mapi (fun j k ->
            let m, c = p.Monomials.[k], p.Coefficients.[k]

            if sorted && buildsAsIs factors seen (j + 1) m then
                termDirectly kernels m c
            else
                termThroughConstructors kernels m c)
        |> List.ofArray
        |> Expr.add

    /// The same sum built node by node, for monomials built as they are (`builtAsIs`) over kernels in
    /// strictly increasing canonical order: each term by `termDirectly`; distinct monomials give
    /// terms with distinct rests, listed in canonical order (`canonicalTermOrder`), so the sum is
    /// `Expr.sumOfOrderedUnlike` of them.
    let private buildDirectly (kernels: Expr[]) (p: Poly) : Expr =
        let mutable constant = Q.zero
        let terms = ResizeArray<Expr>(p.Monomials.Length)

        for k in canonicalTermOrder kernels p do
            match termDirectly kernels p.Monomials.[k] p.Coefficients.[k] with
            | Number c -> constant <- c
            | term -> terms.Add term

        Expr.sumOfOrderedUnlike constant (List.ofSeq terms)

    /// The kernels p uses and p over them alone: the others leave nothing in its expression, and
    /// dropping their columns (zero in every monomial) keeps the monomials in lexicographic order.
    let private compact (kernels: Expr[]) (p: Poly) : Expr[] * Poly =
        let used =
            Array.init kernels.Length id |> Array.filter (fun i -> Poly.dependsOn i p)

        if used.Length = kernels.Length then
            kernels, p
        else
            Array.map (fun i -> kernels.[i]) used,
            {
                Vars = used.Length
                Monomials = p.Monomials |> Array.map (fun m -> Array.map (fun i -> m.[i]) used)
                Coefficients = p.Coefficients
            }

    /// A term built through the constructors read as c·Π bⱼ^eⱼ: its rational coefficient and its
    /// factors as base and positive exponent (x^e with an integer e, any other factor to the first
    /// power); None when a factor is a sum, a product, a special or a power with a negative integer
    /// exponent (structure that the next pass reads otherwise).
    let private readTerm (t: Expr) : struct (Q * (Expr * int) list) voption =
        let factors =
            match t with
            | Product fs -> fs
            | _ -> [ t ]

        let rec read (c: Q) (acc: (Expr * int) list) (fs: Expr list) =
            match fs with
            | [] -> ValueSome(struct (c, acc))
            | Number q :: rest -> read (c * q) acc rest
            | Power(b, Integer e) :: rest when e > 0 && not (isStructure b) -> read c ((b, e) :: acc) rest
            | f :: rest when not (isStructure f) && f <> Undefined && f <> ComplexInfinity ->
                read c ((f, 1) :: acc) rest
            | _ -> ValueNone

        read Q.one [] factors

    /// Whether the product constructor may change kernel i's factor kᵢ^eᵢ of monomial m: an exp
    /// beside another exp or to a power (exp(u)·exp(v) = exp(u + v), exp(u)^e = exp(e·u)), a
    /// kernel sharing its base with another factor (x·x^(1/2) = x^(3/2)), a power that is rewritten
    /// ((x^a)^e = x^(a·e)) or a kernel that does not read back as itself. `classCount` counts the
    /// monomial's factors by class, `expCount` its exps.
    let private isMerged (factors: KernelFactor[]) (classCount: int[]) (expCount: int) (m: int[]) (i: int) =
        let f = factors.[i]
        let e = m.[i]

        e <> 0
        && (not f.Plain
            || (if f.Class < 0 then
                    expCount > 1 || e <> 1
                else
                    classCount.[f.Class] > 1 || (e <> 1 && (not f.Powers || e > Q.LargestInt))))

    /// Comparer of exponent arrays by their entries (keys of merged parts of monomials).
    let private exponentsComparer =
        { new IEqualityComparer<int[]> with
            member _.Equals(a, b) =
                MemoryExtensions.SequenceEqual(ReadOnlySpan a, ReadOnlySpan b)

            member _.GetHashCode a =
                let mutable h = HashCode()

                for e in a do
                    h.Add e

                h.ToHashCode()
        }

    /// The settled images of kernels met while settling one sum, numbered in the order they are
    /// first met (distinct images, structurally): `settle` runs once per kernel.
    type private SettledImages(settle: Func<Expr, Expr>, kernels: Expr[]) =
        let images = Dictionary<Expr, int>()
        let imageList = ResizeArray<Expr>()
        let settledKernel = Dictionary<Expr, int>()
        let kernelImage = Array.create kernels.Length -1

        /// The number of the settled image of kernel k.
        member _.Of(k: Expr) =
            match settledKernel.TryGetValue k with
            | true, j -> j
            | _ ->
                let image = settle.Invoke k

                let j =
                    match images.TryGetValue image with
                    | true, j -> j
                    | _ ->
                        images.[image] <- imageList.Count
                        imageList.Add image
                        imageList.Count - 1

                settledKernel.[k] <- j
                j

        /// The number of the settled image of the sum's kernel i.
        member this.OfKernel(i: int) =
            if kernelImage.[i] < 0 then
                kernelImage.[i] <- this.Of kernels.[i]

            kernelImage.[i]

        /// The images by number.
        member _.All = imageList.ToArray()

    /// A built term's coefficient and its factors as settled images with exponents, and the classes
    /// its factors are collected with: that of a kernel with the same base, −1 for an exp.
    let private readSettled
        (images: SettledImages)
        (factors: KernelFactor[])
        (bases: Expr[])
        (t: Expr)
        : struct (Q * (int * int) list * int list) voption =
        match readTerm t with
        | ValueNone -> ValueNone
        | ValueSome(struct (c, pairs)) ->
            let classes =
                pairs
                |> List.choose (fun (b, _) ->
                    match b with
                    | Exp _ -> Some -1
                    | _ ->
                        let baseOfFactor = baseOf b
                        let j = Array.FindIndex(bases, (fun x -> Expr.Same(x, baseOfFactor)))
                        if j < 0 then None else Some factors.[j].Class)

            ValueSome(struct (c, pairs |> List.map (fun (b, e) -> images.Of b, e), classes))

    /// The exponents of monomial m that the product constructor merges (`isMerged`) into `merged`
    /// (zero elsewhere), counting its factors by class in `classCount`; whether there is any.
    let private markMerged (factors: KernelFactor[]) (classCount: int[]) (merged: int[]) (m: int[]) =
        Array.Clear classCount
        Array.Clear merged
        let mutable expCount = 0
        let mutable anyMerged = false

        for i in 0 .. m.Length - 1 do
            if m.[i] <> 0 then
                if factors.[i].Class < 0 then
                    expCount <- expCount + 1
                else
                    classCount.[factors.[i].Class] <- classCount.[factors.[i].Class] + 1

        for i in 0 .. m.Length - 1 do
            if isMerged factors classCount expCount m i then
                merged.[i] <- m.[i]
                anyMerged <- true

        anyMerged

    /// The settled terms as a polynomial over their sorted images, when it is built as it is: terms
    /// t given as (image, exponent) pairs laid end to end (`pairs`, term t ending at `ends.[t]`) with
    /// their coefficients. None when an image occurs twice in one term (the rebuilt term would merge
    /// the two factors), when fewer than two terms remain, or when the sum over the sorted images would
    /// not be built as it is (`builtAsIs`).
    let private settledPolynomial
        (images: Expr[])
        (pairs: ResizeArray<int>)
        (ends: ResizeArray<int>)
        (coefficients: ResizeArray<Q>)
        : struct (Expr[] * Poly) voption =
        let order = Array.init images.Length id
        let sortedKernels = Array.copy images
        Array.Sort(sortedKernels, order, Comparer.Create(Comparison(Expr.order)))
        let position = Array.zeroCreate order.Length

        for j in 0 .. order.Length - 1 do
            position.[order.[j]] <- j

        let vars = sortedKernels.Length
        let terms = ResizeArray<struct (int[] * Q)>(ends.Count)
        let mutable distinct = true
        let mutable start = 0

        for t in 0 .. ends.Count - 1 do
            let e = Array.zeroCreate vars

            for q in start..2 .. ends.[t] - 1 do
                let j = position.[pairs.[q]]
                distinct <- distinct && e.[j] = 0
                e.[j] <- pairs.[q + 1]

            terms.Add(struct (e, coefficients.[t]))
            start <- ends.[t]

        let settled = Poly.ofTerms vars terms

        if
            distinct
            && settled.Coefficients.Length >= 2
            && strictlySorted sortedKernels
            && builtAsIs sortedKernels settled
        then
            ValueSome(struct (sortedKernels, settled))
        else
            ValueNone

    /// The polynomial that the next pass reads from p's built sum once it has settled its kernels,
    /// with the sorted settled kernels K′, when the next pass only renames kernels there. p's sum is
    /// Σ t_m, t_m the term of monomial m through the constructors (which turn exp(u)^e into
    /// exp(e·u), merge exp(u)·exp(v) into exp(u + v), x^a·x^b into x^(a+b), fold (3^(1/2))² to 3),
    /// like terms collected. The next pass maps each factor b^e of a term to (settle b)^e, rebuilds
    /// the terms and the sum through the constructors and reads the kernels back. When every
    /// settled base is a kernel, distinct within each term, and every settled monomial is built as
    /// it is over the strictly sorted K′ (`builtAsIs`), each rebuilt term is the term of its settled
    /// monomial over K′ and the rebuilt sum (like terms collected, as `Poly.sum` collects them) is
    /// the sum built from the settled polynomial P′ over K′: the same expression, which the next
    /// pass reads back as P′. Settling the built sum is then a rename, done here once.
    ///
    /// A term is read in two parts: the factors that the product constructor keeps as they are, and
    /// the product of the others (`isMerged`), built through the constructors once for each distinct
    /// merged part. The constructor collects factors by base, so the term's factors are the kept
    /// ones and those of the merged product, unless a base of the latter is the base of a kept
    /// factor: such a term is built whole.
    let private settledSum (settle: Func<Expr, Expr>) (kernels: Expr[]) (p: Poly) : struct (Expr[] * Poly) voption =
        let n = kernels.Length
        let factors = kernelFactors kernels
        let bases = kernels |> Array.map baseOf
        let images = SettledImages(settle, kernels)
        let read = readSettled images factors bases

        let mergedParts =
            Dictionary<int[], struct (Q * (int * int) list * int list) voption>(exponentsComparer)

        let classCount = Array.zeroCreate n
        let merged = Array.zeroCreate n
        // the terms read so far: (image, exponent) pairs laid end to end, where each term ends, coefficients
        let pairs = ResizeArray<int>(2 * Poly.countNonZero p)
        let ends = ResizeArray<int>(p.Monomials.Length)
        let coefficients = ResizeArray<Q>(p.Monomials.Length)
        let mutable ok = p.Monomials.Length >= 2
        let mutable k = 0

        // the factors of monomial m that the constructor keeps as they are (`merged` marks the others)
        let addKept (m: int[]) =
            for i in 0 .. n - 1 do
                if m.[i] <> 0 && merged.[i] = 0 then
                    pairs.Add(images.OfKernel i)
                    pairs.Add m.[i]

        let addRead (read: (int * int) list) =
            for (j, e) in read do
                pairs.Add j
                pairs.Add e

        // whether a kept factor of m is collected with class cl
        let keepsClass (m: int[]) (cl: int) =
            let mutable found = false
            let mutable i = 0

            while not found && i < n do
                found <- m.[i] <> 0 && merged.[i] = 0 && factors.[i].Class = cl
                i <- i + 1

            found

        while ok && k < p.Monomials.Length do
            let m, c = p.Monomials.[k], p.Coefficients.[k]

            if not (markMerged factors classCount merged m) then
                addKept m
                coefficients.Add c
            else
                let part =
                    match mergedParts.TryGetValue merged with
                    | true, known -> known
                    | _ ->
                        let key = Array.copy merged
                        let part = read (termThroughConstructors kernels key Q.one)
                        mergedParts.[key] <- part
                        part

                match part with
                | ValueNone -> ok <- false
                | ValueSome(struct (d, partPairs, classes)) ->
                    if not (classes |> List.exists (keepsClass m)) then
                        addRead partPairs
                        addKept m
                        coefficients.Add(c * d)
                    else
                        match read (termThroughConstructors kernels m c) with
                        | ValueSome(struct (whole, wholePairs, _)) ->
                            addRead wholePairs
                            coefficients.Add whole
                        | ValueNone -> ok <- false

            ends.Add pairs.Count
            k <- k + 1

        if ok then
            settledPolynomial images.All pairs ends coefficients
        else
            ValueNone

    /// The polynomial over exactly the kernels it uses (as `compact` leaves it): Σ c·Π kᵢ^eᵢ,
    /// kernels with eᵢ = 0 left out (k⁰ = 1), so that it is found again over other kernel lists.
    /// Remembered in the session by kernels and polynomial; a sum built from monomials built as
    /// they are is recorded as a `BuiltSum`, so that reading it again skips its terms. In a session
    /// that settles (`Session.Settle`), a sum that the next pass would only rename is built over
    /// the settled kernels instead (`settledSum`) and recorded over them.
    ///
    /// `mayFlip` lets a sum built over settled kernels be built for −p instead,
    /// when the settled polynomial leads with a negative coefficient: the sign s (±1) comes back
    /// with the expression of s·p. (The next pass gives its numerator a positive leading
    /// coefficient over the settled kernels, so it would otherwise build the negated sum again.)
    let private toSignedExprCompact (mayFlip: bool) (kernels: Expr[], p: Poly) : struct (Q * Expr) =
        let session = CurrentSession.Value

        match
            (if isNull session then
                 ValueNone
             else
                 match session.Polys.TryGetValue(struct (kernels, p)) with
                 | true, known -> ValueSome known
                 | _ -> ValueNone)
        with
        | ValueSome known -> struct (Q.one, known)
        | ValueNone ->
            let clean = builtAsIs kernels p

            let settled =
                if clean || isNull session || isNull session.Settle then
                    ValueNone
                else
                    settledSum session.Settle kernels p

            match settled with
            | ValueSome(struct (settledKernels, settledPoly)) ->
                let sign =
                    if mayFlip && (snd (Poly.leading settledPoly)).Sign < 0 then
                        Q.ofInt -1
                    else
                        Q.one

                let signedPoly = Poly.scale sign settledPoly

                let result =
                    match session.Polys.TryGetValue(struct (settledKernels, signedPoly)) with
                    | true, known -> known
                    | _ -> buildDirectly settledKernels signedPoly

                if sign.IsOne then
                    session.Polys.[struct (kernels, p)] <- result

                session.Polys.[struct (settledKernels, signedPoly)] <- result

                session.Sums.[result] <-
                    {
                        Kernels = settledKernels
                        Poly = signedPoly
                    }

                struct (sign, result)
            | ValueNone ->
                let result =
                    if clean && strictlySorted kernels then
                        buildDirectly kernels p
                    else
                        buildThroughConstructors kernels p

                if not (isNull session) then
                    session.Polys.[struct (kernels, p)] <- result

                    match result with
                    | Sum _ when clean -> session.Sums.[result] <- { Kernels = kernels; Poly = p }
                    | _ -> ()

                struct (Q.one, result)

    /// `toSignedExprCompact` of the polynomial over the kernels it uses (`compact`).
    let private toSignedExpr (mayFlip: bool) (kernels: Expr[]) (p: Poly) : struct (Q * Expr) =
        toSignedExprCompact mayFlip (compact kernels p)

    /// The polynomial over its kernels, its sign kept (`toSignedExpr`).
    let private toExpr (kernels: Expr[]) (p: Poly) : Expr =
        let struct (_, e) = toSignedExpr false kernels p
        e

    /// Largest numerator (in terms) that a common denominator may produce; above it the sum of
    /// coprime fractions is kept as it is, since the combined numerator would swamp the input.
    let private combinedTermLimit = 32.0

    /// Terms of the numerator over the common denominator, bounded above: Σᵢ |Nᵢ|·Πⱼ≠ᵢ |Dⱼ|, from each
    /// part's numerator term count and its denominator factors' term counts and multiplicities.
    let private combinedTermsOf (parts: (int * (int * int) list) list) =
        let denTerms (den: (int * int) list) =
            den |> List.fold (fun acc (terms, k) -> acc * float terms ** float k) 1.0

        let all = parts |> List.fold (fun acc (_, den) -> acc * denTerms den) 1.0
        parts |> List.sumBy (fun (num, den) -> float num * all / denTerms den)

    /// `combinedTermsOf` the fractions.
    let private combinedTerms (parts: Partial) =
        parts
        |> List.map (fun f -> Poly.termCount f.Num, f.Den |> List.map (fun (d, k) -> Poly.termCount d, k))
        |> combinedTermsOf

    /// The expression as the next pass takes it up, in a session that settles (`Session.Settle`):
    /// with its kernels settled (kernels that the product constructor merged, such as
    /// exp(u)·exp(v) = exp(u + v), normalized inside), which is what that pass reads.
    let private settledForNextPass (e: Expr) =
        let session = CurrentSession.Value

        if isNull session || isNull session.Settle then
            e
        else
            session.Settle.Invoke e

    /// The product through the constructor. When the constructor makes factors of its own (merging
    /// exps, or powers of one base), it is settled for the next pass (`settledForNextPass`); factors
    /// kept as given (or as factors of a given product) stay as settled as they came.
    let private multiplySettled (factors: Expr list) : Expr =
        let product = Expr.multiply factors

        let given =
            factors
            |> List.collect (fun f ->
                match f with
                | Product fs -> fs
                | _ -> [ f ])

        let keptAsGiven (same: Expr -> Expr -> bool) =
            let isGiven (f: Expr) =
                f.IsNumber || given |> List.exists (same f)

            match product with
            | Product fs -> List.forall isGiven fs
            | _ -> isGiven product

        // most factors come back as the very objects given; equal copies are compared only then
        if
            keptAsGiven (fun f g -> obj.ReferenceEquals(f, g))
            || keptAsGiven (fun f g -> Expr.Same(f, g))
        then
            product
        else
            settledForNextPass product

    /// c·N/Π Dᵢ^kᵢ (`multiplySettled`) from c, the signed numerator (`toSignedExpr`) and the
    /// denominator factors' expressions.
    let private assembleFraction (c: Q) (struct (sign: Q, numerator: Expr)) (den: (Expr * int) list) : Expr =
        multiplySettled (
            Number(c * sign)
            :: numerator
            :: (den |> List.map (fun (d, k) -> Expr.power d (Expr.integer -k)))
        )

    /// A numerator N over exactly the kernels it uses as c and the expression of its primitive part
    /// (`integerize`, then `toSignedExprCompact`, which may build it negated).
    let private numeratorExpr (kernels: Expr[], num: Poly) : struct (Q * struct (Q * Expr)) =
        let c, primitive = integerize num
        struct (c, toSignedExprCompact true (kernels, primitive))

    /// c·N/Π Dᵢ^kᵢ (`assembleFraction`). A numerator built negated (`toSignedExpr`) moves its
    /// sign into c: the next pass reads the product's factors into one fraction whose numerator
    /// is the product of their polynomials, (−c)·(−N) = c·N, so it reads the same fraction.
    let private fractionToExpr (kernels: Expr[]) (f: Fraction) : Expr =
        let struct (c, numerator) = numeratorExpr (compact kernels f.Num)
        assembleFraction c numerator (f.Den |> List.map (fun (d, k) -> toExpr kernels d, k))

    /// The parts as an expression: one fraction when the common denominator stays small
    /// (1/x + 1/y = (x + y)/(x·y)), else the sum of the coprime fractions.
    /// Remembered in the session under the given parts and under the fractions it converts (the
    /// function gives the same expression for both: one fraction, or parts it does not combine).
    let private partialToExpr (kernels: Expr[]) (parts: Partial) : Expr =
        let build () =
            let converted =
                if parts.Length > 1 && combinedTerms parts <= combinedTermLimit then
                    [ combineAll kernels.Length parts |> cancel ]
                else
                    parts

            // one fraction is its own sum (its expression is canonical: adding it alone would
            // walk a long numerator again for like terms and order)
            match converted |> List.map (fractionToExpr kernels) with
            | [ f ] -> converted, f
            | fs -> converted, Expr.add fs

        let session = CurrentSession.Value

        if isNull session then
            snd (build ())
        else
            match session.Layouts.TryGetValue(struct (kernels, parts)) with
            | true, known -> known
            | _ ->
                let converted, result = build ()
                session.Layouts.[struct (kernels, parts)] <- result
                session.Layouts.[struct (kernels, converted)] <- result
                result

    /// A factor of a built product as a read takes it: c/f^k, with f primitive over the sorted
    /// kernels it uses (`FactorKernels`).
    type private ReadDenominator =
        {
            FactorKernels: Expr[]
            Factor: Poly
            Multiplicity: int
            Constant: Q
        }

    /// A product c·N·Π φⱼ as a read takes it apart: N a sum that `toExpr` built or a monomial of
    /// kernel powers (its polynomial over its own sorted kernels), every φⱼ read as cⱼ/fⱼ^kⱼ;
    /// `Coefficient` is c·Π cⱼ.
    type private ReadProduct =
        {
            Coefficient: Q
            Numerator: BuiltSum
            Dens: ReadDenominator list
        }

    /// Whether a factor has a shape that reads cheaply as one fraction: a kernel, an inverted kernel,
    /// an integer power of a kernel, or a negative integer power of a built sum. A test on the shape
    /// alone, so that other factors cost no reading.
    let private readsAlone (f: Expr) =
        let isKernel (b: Expr) =
            match shape b with
            | Kernel _ -> true
            | _ -> false

        match f with
        | Power(b, Integer k) -> (k < 0 && (builtSum b).IsSome) || isKernel b
        | _ ->
            match shape f with
            | Kernel _
            | InvertedKernel _ -> true
            | Structure -> false

    /// The factor read over its own sorted kernels as one fraction, when it reads so (`readsAlone`).
    /// A read over more kernels gives the same fraction with its polynomials embedded: the kernels
    /// keep their relative order, so every leading term and sign stays as it is.
    let private readAlone (f: Expr) : struct (Expr[] * Fraction) voption =
        if not (readsAlone f) then
            ValueNone
        else
            let kernels = collectKernels f |> List.sortWith Expr.order

            match toPartial kernels f with
            | Some [ fraction ] -> ValueSome(struct (Array.ofList kernels, fraction))
            | _ -> ValueNone

    /// The factor read as c/f^k (`readAlone` with a constant numerator and one denominator factor).
    let private readDenominator (f: Expr) : ReadDenominator voption =
        match readAlone f with
        | ValueSome(struct (kernels, { Num = num; Den = [ d, k ] })) when Poly.termCount num = 1 && Poly.isConstant num ->
            let used, factor = compact kernels d

            ValueSome
                {
                    FactorKernels = used
                    Factor = factor
                    Multiplicity = k
                    Constant = snd (Poly.leading num)
                }
        | _ -> ValueNone

    /// The product taken apart as a read takes it (`ReadProduct`): numbers, factors that read as
    /// c/f^k, and either one built sum or monomial factors (kernels and their powers), which the
    /// read multiplies into one monomial.
    let private readProduct (r: Expr) : ReadProduct voption =
        match r with
        | Product factors ->
            let numbers, rest = factors |> List.partition (fun f -> f.IsNumber)
            let monomials, rest = rest |> List.partition isMonomialFactor
            let sums = rest |> List.choose (builtSum >> ValueOption.toOption)

            let numerator =
                match monomials, sums with
                | [], [ s ] -> ValueSome s
                | _, [] ->
                    let kernels =
                        monomials
                        |> List.map (fun f ->
                            match f with
                            | Power(b, Integer _) -> b
                            | _ -> f)
                        |> List.sortWith Expr.order

                    ValueSome
                        {
                            Kernels = Array.ofList kernels
                            Poly = monomialOf kernels monomials
                        }
                | _ -> ValueNone

            let readDens =
                rest |> List.filter (fun f -> (builtSum f).IsNone) |> List.map readDenominator

            match numerator with
            | ValueSome n when readDens |> List.forall ValueOption.isSome ->
                let readDens = readDens |> List.map ValueOption.get

                ValueSome
                    {
                        Coefficient =
                            (numbers
                             |> List.fold
                                 (fun c f ->
                                     match f with
                                     | Number q -> c * q
                                     | _ -> c)
                                 Q.one)
                            * (readDens |> List.fold (fun c d -> c * d.Constant) Q.one)
                        Numerator = n
                        Dens = readDens
                    }
            | _ -> ValueNone
        | _ -> ValueNone

    /// Whether gcd(N, f) is a constant, for N over the sorted kernels kn and f over the sorted
    /// kernels kf (each using all of its kernels).
    /// - Sharing no kernel, they are coprime (a common divisor shares a kernel with both).
    /// - When f uses kernels that N lacks, a common divisor g lacks them too (g divides N), so g
    ///   divides every coefficient of f as a polynomial in those kernels: a non-zero constant one
    ///   makes g a constant (`Poly.hasConstantCoefficientIn`). Otherwise the gcd over all their kernels.
    /// - A monomial f = c·Π xⱼ^aⱼ over N's kernels has a non-constant gcd with N only when some xⱼ
    ///   divides every term; any other f, the gcd over N's kernels.
    let private coprimeWith (kn: Expr[]) (n: Poly) (kf: Expr[]) (f: Poly) : bool =
        let outside =
            kf |> Array.map (fun k -> not (kn |> Array.exists (fun c -> Expr.Same(c, k))))

        if Array.forall id outside then
            true
        elif Array.exists id outside then
            Poly.hasConstantCoefficientIn outside f
            || (let all = unionOf [ kn; kf ]
                Poly.isConstant (gcd (embedIn all kn n) (embedIn all kf f)))
        else
            let f = embedIn kn kf f

            if Poly.termCount f = 1 then
                let a = f.Monomials.[0]
                let least = Poly.leastExponentsWhere (fun j -> a.[j] > 0) n
                Array.forall2 (fun aj lj -> aj = 0 || lj = 0) a least
            else
                Poly.isConstant (gcd n f)

    /// Whether the read's product of the factors is reduced as it stands: every denominator factor
    /// coprime to the numerator (every gcd that cancellation asks for is then a constant, and it
    /// leaves the fraction as it is).
    let private reducedAsRead (p: ReadProduct) =
        p.Dens
        |> List.forall (fun d -> coprimeWith p.Numerator.Kernels p.Numerator.Poly d.FactorKernels d.Factor)

    /// The expression `fractionToExpr` builds from the read fraction c·N/Π fⱼ^kⱼ. Every polynomial
    /// is taken over its own kernels: `fractionToExpr` compacts each one it builds, so the kernels
    /// a polynomial does not use change nothing. (Two equal factors fⱼ, which the read merges into
    /// one power, give one expression here, `toExpr` being remembered by kernels and polynomial,
    /// and the product constructor merges their powers.)
    let private readProductExpr (p: ReadProduct) =
        let struct (c, numerator) = numeratorExpr (p.Numerator.Kernels, p.Numerator.Poly)

        assembleFraction
            (p.Coefficient * c)
            numerator
            (p.Dens |> List.map (fun d -> toExpr d.FactorKernels d.Factor, d.Multiplicity))

    /// One factor of a product as the read of its layer takes it alone: the terms of its fraction's
    /// numerator, and the expression `fractionToExpr` builds from that fraction.
    let private factorAlone (f: Expr) : struct (int * Expr) voption =
        match f with
        | Number q -> ValueSome(struct (1, fractionToExpr [||] { Num = Poly.constant 0 q; Den = [] }))
        | _ ->
            match builtSum f with
            | ValueSome s ->
                // `fractionToExpr` of the sum's polynomial alone, which uses all of its kernels
                let struct (c, numerator) = numeratorExpr (s.Kernels, s.Poly)
                ValueSome(struct (Poly.termCount s.Poly, assembleFraction c numerator []))
            | ValueNone ->
                readAlone f
                |> ValueOption.map (fun (struct (kernels, fraction)) ->
                    struct (Poly.termCount fraction.Num, fractionToExpr kernels fraction))

    /// Whether `normalizeLayerByReading` gives the product back. It reads every factor; their expansion has
    /// Π |Nⱼ| terms (Nⱼ a factor's numerator). Beyond the limit it builds every factor's fraction
    /// alone and multiplies those (`factorAlone`, `multiplySettled`). Up to it, it multiplies them
    /// into one fraction and builds that: for c·N·Π φⱼ reduced as it stands (`reducedAsRead`),
    /// `readProductExpr`.
    let private productReadsBack (e: Expr) (factors: Expr list) =
        let alone = factors |> List.map factorAlone

        alone |> List.forall ValueOption.isSome
        && (let alone = alone |> List.map ValueOption.get

            let expanded =
                alone |> List.fold (fun acc (struct (terms, _)) -> acc * float terms) 1.0

            if expanded > combinedTermLimit then
                Expr.Same(alone |> List.map (fun (struct (_, x)) -> x) |> multiplySettled, e)
            else
                match readProduct e with
                | ValueSome p -> reducedAsRead p && Expr.Same(readProductExpr p, e)
                | ValueNone -> false)

    /// Whether `regroup` keeps the read fractions apart, one group each. It groups by denominators
    /// alone (the Laurent fractions together, the others by shared divisors), so this regroups
    /// fractions with numerator 1 over the same denominators, over the kernels of them all: as
    /// many come back as went in exactly when no two were grouped (a group comes back as one
    /// fraction, never zero: lifted numerators with positive leading coefficients do not cancel).
    let private keptApartByRegroup (reads: ReadProduct list) =
        let all =
            unionOf
                [
                    for p in reads do
                        for d in p.Dens -> d.FactorKernels
                ]

        let standIn (p: ReadProduct) =
            {
                Num = Poly.one all.Length
                Den =
                    p.Dens
                    |> List.map (fun d -> embedIn all d.FactorKernels d.Factor, d.Multiplicity)
            }

        List.length (regroup all.Length (reads |> List.map standIn)) = List.length reads

    /// Whether `normalizeLayerByReading` gives the sum of products back. Its read takes every summand to a
    /// fraction (reduced as it stands: `reducedAsRead`) and regroups them (`keptApartByRegroup`);
    /// it keeps them apart when their common denominator would exceed the limit, and then builds
    /// each (`readProductExpr`) and adds them up. (A sum of polynomials only, read as one, is
    /// regrouped as one: they are all of the Laurent group. The limit on the common denominator is
    /// kept so that the check stands alone, though a layer of `checkedLayerTerms` built terms that
    /// regroup keeps apart always exceeds it.)
    let private sumReadsBack (e: Expr) (summands: Expr list) =
        // a summand with no factor that can read as a denominator is of the Laurent group: two such
        // are regrouped into one (checked first, by shape alone)
        let hasDenominator (x: Expr) =
            match x with
            | Product fs ->
                fs
                |> List.exists (fun f ->
                    match f, shape f with
                    | Power(_, Integer k), _ -> k < 0
                    | _, InvertedKernel _ -> true
                    | _ -> false)
            | _ -> false

        let reads =
            if (summands |> List.filter (hasDenominator >> not) |> List.length) > 1 then
                [ ValueNone ]
            else
                summands |> List.map readProduct

        let combined (reads: ReadProduct list) =
            reads
            |> List.map (fun p ->
                Poly.termCount p.Numerator.Poly, p.Dens |> List.map (fun d -> Poly.termCount d.Factor, d.Multiplicity))
            |> combinedTermsOf

        reads |> List.forall ValueOption.isSome
        && (let reads = reads |> List.map ValueOption.get

            reads |> List.forall reducedAsRead
            && keptApartByRegroup reads
            && combined reads > combinedTermLimit
            && Expr.Same(reads |> List.map readProductExpr |> Expr.add, e))

    /// Whether `normalizeLayerByReading` gives e back, decided from what the session knows of the sums it
    /// built, without reading them again: e a product of numbers, built sums and kernel powers,
    /// or a sum of fractions c·N·Π φⱼ, as a pass builds a layer (`fractionToExpr`,
    /// `multiplySettled`). The next pass meets that layer again, settled as it was built, and
    /// would read every built sum of it term by term only to rebuild the same expression. False
    /// when e is of another shape or a condition fails; then the layer is read as usual.
    let private readsBackAsItself (e: Expr) =
        match e with
        | Product factors -> productReadsBack e factors
        | Sum summands when (builtSum e).IsNone -> sumReadsBack e summands
        | _ -> false

    /// One normalization of the top rational layer: fractions with related denominators over a
    /// common (factored) denominator, common factors cancelled, primitive integer numerators and
    /// denominator factors, rational factor in front. A product whose expansion would exceed the
    /// limit is normalized factor by factor instead (it vanishes only when a factor does).
    let private normalizeLayerByReading (e: Expr) : Expr =
        let kernels = collectKernels e |> List.sortWith Expr.order
        let n = List.length kernels

        match e with
        | Product factors ->
            let parts = factors |> List.map (toPartial kernels)

            if parts |> List.exists Option.isNone then
                e
            else
                let parts = parts |> List.choose id

                let expanded =
                    parts
                    |> List.fold (fun acc p -> acc * (if List.isEmpty p then 0.0 else combinedTerms p)) 1.0

                if expanded <= combinedTermLimit then
                    parts
                    |> List.fold (multiplyPartials n) [ { Num = Poly.one n; Den = [] } ]
                    |> partialToExpr (Array.ofList kernels)
                else
                    parts |> List.map (partialToExpr (Array.ofList kernels)) |> multiplySettled
        | _ ->
            match toPartial kernels e with
            | None -> e
            | Some parts -> partialToExpr (Array.ofList kernels) parts

    /// The terms of the built sums that reading e would take up: its own factors' (a product) or
    /// its summands' factors' (a sum).
    let private builtTerms (e: Expr) =
        let termsOf (f: Expr) =
            match builtSum f with
            | ValueSome s -> Poly.termCount s.Poly
            | ValueNone -> 0

        match e with
        | Product fs -> fs |> List.sumBy termsOf
        | Sum xs ->
            xs
            |> List.sumBy (fun x ->
                match x with
                | Product fs -> List.sumBy termsOf fs
                | _ -> termsOf x)
        | _ -> 0

    /// Fewest built terms (`builtTerms`) of a layer that is checked (`readsBackAsItself`) rather than
    /// read when a later pass meets it again. Below it the check costs about what the read does,
    /// whose memos mostly hit when the layer's kernels did not change (measured: the paper
    /// exponent, 4 terms, and the benchmark's sum of twelve fractions, 24 terms, 5–15% slower
    /// when checked; the random benchmark inputs' top layers, 38 to 8,900 terms, 5–15% faster).
    let private checkedLayerTerms = 32

    /// `normalizeLayerByReading`, or e itself at once when that is what the reading gives
    /// (`readsBackAsItself`): a layer of at least `checkedLayerTerms` built terms that an earlier
    /// pass built, met again by the next.
    let private normalizeLayer (e: Expr) : Expr =
        let session = CurrentSession.Value

        if isNull session then
            normalizeLayerByReading e
        elif session.Layers.Contains e && readsBackAsItself e then
            e
        else
            let result = normalizeLayerByReading e

            if builtTerms result >= checkedLayerTerms then
                session.Layers.Add result |> ignore

            result

    /// Simplify the insides of kernels (arguments of ln/exp, bases and exponents of non-integer powers).
    /// (A canonical node rebuilt from its own children is itself, so unchanged children skip the rebuild.)
    /// A built sum stays as it is when every kernel it contains does (its terms are products of
    /// powers of those kernels), which spares the walk through its terms.
    let rec private simplifyKernels (step: Expr -> Expr) (e: Expr) : Expr =
        match builtSum e with
        | ValueSome built when
            built.Kernels
            |> Array.forall (fun k ->
                let settled = simplifyKernels step k
                obj.ReferenceEquals(settled, k) || settled = k)
            ->
            e
        | _ -> simplifyKernelsOf step e

    /// The children mapped in order, structure through `simplifyKernels`, kernel insides through
    /// `step`; the node itself when every child comes back equal, else the node rebuilt. Lists are
    /// built only from the first child that changes (most subtrees come back as they are).
    and private simplifyKernelsOf (step: Expr -> Expr) (e: Expr) : Expr =
        let inside = if isStructure e then simplifyKernels step else step
        let same (a: Expr) (b: Expr) = obj.ReferenceEquals(a, b) || a = b

        /// The mapped list from the first changed child on; `before` are the unchanged ones, reversed.
        let rec mapFrom (before: Expr list) (xs: Expr list) =
            match xs with
            | [] -> ValueNone
            | x :: rest ->
                let y = inside x

                if same x y then
                    mapFrom (x :: before) rest
                else
                    ValueSome(List.rev before @ y :: List.map inside rest)

        match e with
        | Sum xs
        | Product xs ->
            match mapFrom [] xs with
            | ValueNone -> e
            | ValueSome mapped -> Expr.rebuild e mapped
        | Power(b, x) ->
            let b' = inside b
            let x' = inside x
            if same b b' && same x x' then e else Expr.power b' x'
        | Ln x ->
            let x' = inside x
            if same x x' then e else Expr.ln x'
        | Exp x ->
            let x' = inside x
            if same x x' then e else Expr.exp x'
        | Number _
        | Symbol _
        | Undefined
        | ComplexInfinity -> e

    /// What one normalization remembers, both by reference: `Pass` maps a node to its result of
    /// one pass, `Layer` maps a layer input (a node with settled kernels) to `normalizeLayer` of it.
    type private Memo =
        {
            Pass: Dictionary<Expr, Expr>
            Layer: Dictionary<Expr, Expr>
        }

    /// normalizeLayer, remembered. A result structurally equal to its input is a fixed point of the
    /// layer (a function of structure alone), so it is remembered as its own result: the confirming
    /// pass meets that result again and skips the layer (for a 10,000-node output, a full re-read).
    let private normalizeLayerOnce (memo: Memo) (inner: Expr) : Expr =
        match memo.Layer.TryGetValue inner with
        | true, known -> known
        | _ ->
            let result = normalizeLayer inner
            memo.Layer.[inner] <- result

            if not (obj.ReferenceEquals(result, inner)) && result = inner then
                memo.Layer.[result] <- result

            result

    /// One pass, remembering every node's result in `memo` (by reference). A result structurally
    /// equal to its input is a fixed point of the pass (which depends on structure alone), so it
    /// is remembered too: later passes then skip kernels whose insides have already settled.
    let rec private normalizeOnce (memo: Memo) (e: Expr) : Expr =
        match e with
        | Number _
        | Symbol _ -> e // its own normal form: one term c or x, no memo needed
        | _ ->
            match memo.Pass.TryGetValue e with
            | true, known -> known
            | _ ->
                let result = normalizeLayerOnce memo (simplifyKernels (normalizeOnce memo) e)
                memo.Pass.[e] <- result

                if not (obj.ReferenceEquals(result, e)) && result = e then
                    memo.Pass.[result] <- result

                result

    let private newMemo () =
        {
            Pass = Dictionary<Expr, Expr>(HashIdentity.Reference)
            Layer = Dictionary<Expr, Expr>(HashIdentity.Reference)
        }

    /// One pass of rational normalization, bottom-up through kernels. Not always a fixed point:
    /// rebuilding may merge kernels (x^(1/2)·x^(1/2) = x), so prefer `simplify`.
    let normalize (e: Expr) : Expr =
        withSession (fun () -> normalizeOnce (newMemo ()) e)

    /// Rational normalization iterated until a pass returns its input, at most `passes` passes; an input
    /// still changing after them raises NoFixedPointException (never a form that is not a fixed point).
    ///
    /// A pass builds a layer's sums through the product constructor, which merges exps
    /// (exp(u)·exp(v) = exp(u + v)) and powers of one base into kernels whose insides are not yet
    /// normalized; the next pass settles them, so the fixed point takes a second and a confirming
    /// third pass. The session's `Settle` is the next pass's settling of a kernel (`simplifyKernels`
    /// with the same step): with it, a pass builds such a sum over the settled kernels at once
    /// (`settledSum`), which is exactly the sum the next pass would rebuild (each rebuilt term
    /// and the rebuilt sum go through the same constructors from the same settled factors), and
    /// gives each numerator the sign that the next pass's normalization over the settled kernels
    /// gives it (`toSignedExpr`); a product whose constructor merges factors is settled as it is
    /// built (`multiplySettled`). The next pass then meets the layers as they were built: it
    /// checks each against what reading it would give (`readsBackAsItself`) without reading its
    /// built sums again, and reads only the layers that the check does not confirm.
    let simplifyWithin (passes: int) (e: Expr) : Expr =
        if passes < 1 then
            invalidArg "passes" (sprintf "passes must be at least 1; got %d" passes)

        let memo = newMemo ()
        let input = e

        let rec loop k (e: Expr) =
            let next = normalizeOnce memo e

            if next = e then next
            elif k = 1 then raise (NoFixedPointException(passes, input))
            else loop (k - 1) next

        withSession (fun () ->
            let session = CurrentSession.Value
            let outer = session.Settle
            session.Settle <- Func<Expr, Expr>(simplifyKernels (normalizeOnce memo))

            try
                loop passes e
            finally
                session.Settle <- outer)

    /// Rational normalization iterated to its fixed point (`simplifyWithin` 12 passes; inputs met so far
    /// need at most three), so `simplify` is idempotent. Examples: (β² + 2β)/(β(2+β)) → 1;
    /// ν·β/(ν+νβ+1) stays.
    let simplify (e: Expr) : Expr = simplifyWithin 12 e

    /// Equality of canonical forms after simplification: a = b when simplify(a − b) = 0.
    let equal (a: Expr) (b: Expr) : bool =
        let sa, sb = simplify a, simplify b
        sa = sb || simplify (Expr.subtract sa sb) = Expr.zero
