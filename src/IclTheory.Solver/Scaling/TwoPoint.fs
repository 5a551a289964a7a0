/// The two-point deterministic equivalent of the RRS loss with a width bottleneck N, a context
/// bottleneck P and depth L (Result 7; Appendices A, F.3, F.4), derived in theory/two-point.md.
///
/// ℒ(γ; N, L, P) = tr Ω p(M)ᵀ Λ p(M),  p(x) = (1 − γx/L)^L,  M = O (AᵀA)² Oᵀ Σ̂  (Eqs. 102, 106),
/// with Σ̂ the structured Wishart of P samples of covariance Λ and AᵀA a rank-N projection (Eq. 107).
/// Traces are normalized over the D modes. With s = iω = −z, the free-product equation (Eqs. 37, 105,
/// 110) is solved for κ(z) along an ellipse enclosing the spectrum of M; the two-point kernel F(z, z')
/// (Eqs. 38–40 averaged over Σ̂ by the Wishart two-point equivalent) is built once per (N, P, spectrum)
/// and every (γ, L) is then a quadratic form in p over the contour nodes (Eq. 103).
module IclTheory.Solver.TwoPoint

open System
open System.Numerics
open System.Numerics.Tensors

/// The bottlenecks of one loss landscape, as ratios to D: α_N = N/D ∈ (0, 1] and α_P = P/D > 0
/// (None for P → ∞, where Σ̂ = Λ).
type Bottleneck = { AlphaN: float; AlphaP: float option }

/// How Ψ_χχ is formed from Σ_vv. Eq38: Σ̂_χχ = −Σ_vv/𝓑 (Eq. 38, second line; consistent with Eq. 39).
/// PrintedText: Σ̂_χχ = −𝓑Σ_vv (the sentence after Eq. 39).
type ChiChiConvention =
    | Eq38
    | PrintedText

/// Whether the outer resolvents carry the Wishart two-point correction 1/(1 − tr Λ²X⁻¹X'⁻¹/α_P)
/// (Derived) or are the population resolvents of Eq. 15 as printed (Eq15).
type OuterResolvent =
    | Derived
    | Eq15

/// The variant of the equivalent to evaluate; `derived` is the engine's own.
type Variant =
    {
        ChiChi: ChiChiConvention
        Outer: OuterResolvent
    }

/// The engine's derivation (theory/two-point.md).
let derived = { ChiChi = Eq38; Outer = Derived }

/// The one-point solution at one contour node: z on the contour, s = −z, κ the Wishart-renormalized
/// ridge, τ = tr Λ(Λ+κ)⁻¹ (Eqs. 109–110), Ψ = Ψ_vχ = (α_N − τ)/(1 − τ) (Eqs. 36, 108),
/// c = 1 − τ/α_P (Eq. 109). Weight is dz/(2πi) of the trapezoid rule.
type Node =
    {
        Z: Complex
        Weight: Complex
        Kappa: Complex
        Tau: Complex
        Psi: Complex
        C: Complex
    }

/// Contour integral data: the nodes (θ_j = 2πj/n, j = 0..n−1, on the ellipse
/// z = x_c + a cos θ + i b sin θ) and the kernel F[i, j] = F(z_i, z_j).
type Kernel =
    {
        Nodes: Node[]
        F: Complex[,]
        /// Rows 0..n/2 of F, real and imaginary parts, row-major with n columns (the lower rows are the
        /// conjugates of these: F(z̄_i, z̄_j) = conj F(z_i, z_j)).
        UpperRe: float[]
        UpperIm: float[]
        /// Right edge of the spectrum of M (the smallest z(κ) on κ < −λ₁).
        Edge: float
        /// Bernstein-ellipse parameter ρ of the contour around [0, Edge].
        Rho: float
    }

/// A loss with its node-doubling error estimate |ℒ_2n − ℒ_n| and the node count used.
type LossValue =
    {
        Loss: float
        ErrorEstimate: float
        Nodes: int
    }

let private fmt (x: float) =
    x.ToString("G6", Globalization.CultureInfo.InvariantCulture)

let private describe (spectrum: Spectrum.Spectrum) (b: Bottleneck) =
    let p =
        match b.AlphaP with
        | Some a -> fmt a
        | None -> "∞"

    sprintf "D = %d, α_N = %s, α_P = %s" spectrum.Lambda.Length (fmt b.AlphaN) p

/// Validates the bottleneck ratios: 0 < α_N ≤ 1 ("width"), α_P > 0 ("context").
let validate (spectrum: Spectrum.Spectrum) (b: Bottleneck) =
    let d = float spectrum.Lambda.Length

    if not (Double.IsFinite b.AlphaN) || b.AlphaN <= 0.0 || b.AlphaN > 1.0 + 1e-12 then
        raise (InvalidParameterException("width", fmt (b.AlphaN * d), sprintf "an integer in [1, D = %g]" d))

    match b.AlphaP with
    | Some a when not (Double.IsFinite a) || a <= 0.0 ->
        raise (InvalidParameterException("context", fmt (a * d), "a number > 0"))
    | _ -> ()

let private inverseAlphaP (b: Bottleneck) =
    match b.AlphaP with
    | Some a -> 1.0 / a
    | None -> 0.0

/// 1/(λ + κ) in real arithmetic (no Smith scaling needed: λ + κ is bounded away from 0 and ∞ on
/// the contour).
let inline private reciprocal (l: float) (kappa: Complex) =
    let a = l + kappa.Real
    let b = kappa.Imaginary
    let r = 1.0 / (a * a + b * b)
    Complex(a * r, -b * r)

/// df(κ) = tr Λ(Λ+κ)⁻¹ and its derivative −tr Λ(Λ+κ)⁻² (Eq. 109).
let private degreesOfFreedom (lambda: float[]) (kappa: Complex) =
    let mutable dfr = 0.0
    let mutable dfi = 0.0
    let mutable sr = 0.0
    let mutable si = 0.0
    let a0 = kappa.Real
    let b = kappa.Imaginary

    for l in lambda do
        let a = l + a0
        let r = 1.0 / (a * a + b * b)
        let yr = a * r
        let yi = -b * r
        dfr <- dfr + l * yr
        dfi <- dfi + l * yi
        sr <- sr + l * (yr * yr - yi * yi)
        si <- si + l * (2.0 * yr * yi)

    let n = float lambda.Length
    struct (Complex(dfr / n, dfi / n), Complex(-sr / n, -si / n))

/// The real-axis inverse of Eq. 110: for real κ < −λ₁, z(κ) = −κ(α_N − τ)(1 − τ/α_P)/(1 − τ),
/// τ = df(κ). It decreases from +∞ (κ → −∞) to the spectral edge and (finite P) rises again.
let private zOfKappa (lambda: float[]) (b: Bottleneck) (kappa: float) =
    let mutable df = 0.0

    for l in lambda do
        df <- df + l / (l + kappa)

    let tau = df / float lambda.Length
    -kappa * (b.AlphaN - tau) * (1.0 - tau * inverseAlphaP b) / (1.0 - tau)

/// κ on the real axis left of −λ₁, parametrized by u: κ = −λ₁(1 + e^u).
let private kappaOfU (lambda1: float) (u: float) = -lambda1 * (1.0 + exp u)

/// The right edge of the limiting spectrum of M: min of z(κ) over κ < −λ₁, by a log-grid scan in
/// u and golden-section refinement. Returns (edge, u at the edge).
let spectralEdge (spectrum: Spectrum.Spectrum) (b: Bottleneck) =
    validate spectrum b
    let lambda = spectrum.Lambda
    let lambda1 = Array.max lambda
    let z u = zOfKappa lambda b (kappaOfU lambda1 u)
    let grid = Array.init 121 (fun i -> -36.0 + 0.5 * float i)
    let values = grid |> Array.map z
    let best = values |> Array.indexed |> Array.minBy snd |> fst
    let lo = grid[max 0 (best - 1)]
    let hi = grid[min (grid.Length - 1) (best + 1)]
    let golden = (sqrt 5.0 - 1.0) / 2.0
    let mutable a = lo
    let mutable c = hi
    let mutable x1 = c - golden * (c - a)
    let mutable x2 = a + golden * (c - a)
    let mutable z1 = z x1
    let mutable z2 = z x2

    for _ in 1..60 do
        if z1 < z2 then
            c <- x2
            x2 <- x1
            z2 <- z1
            x1 <- c - golden * (c - a)
            z1 <- z x1
        else
            a <- x1
            x1 <- x2
            z1 <- z2
            x2 <- a + golden * (c - a)
            z2 <- z x2

    let u = 0.5 * (a + c)
    struct (min (z u) values[best], u)

/// Residual of Eq. 110 in κ: G(κ) = κ(α_N − τ)(1 − τ/α_P) − s(1 − τ), τ = df(κ), and dG/dκ.
let private residual (lambda: float[]) (b: Bottleneck) (s: Complex) (kappa: Complex) =
    let struct (tau, dtau) = degreesOfFreedom lambda kappa
    let ip = inverseAlphaP b
    let u = Complex(b.AlphaN, 0.0) - tau
    let v = Complex.One - tau * ip
    let g = kappa * u * v - s * (Complex.One - tau)
    let dg = u * v + kappa * (-dtau * v - u * dtau * ip) + s * dtau
    struct (g, dg, tau)

/// Newton's method for Eq. 110 from a nearby solution; None when it does not settle in 40 steps.
let private newton (lambda: float[]) (b: Bottleneck) (s: Complex) (start: Complex) =
    let rec go (kappa: Complex) iteration =
        if iteration > 40 then
            None
        else
            let struct (g, dg, _) = residual lambda b s kappa
            let step = g / dg

            if not (Double.IsFinite step.Real && Double.IsFinite step.Imaginary) then
                None
            else
                let next = kappa - step

                if Complex.Abs step <= 1e-15 * (Complex.Abs next + 1e-300) then
                    Some next
                else
                    go next (iteration + 1)

    go start 0

/// The one-point quantities at κ (Eqs. 36, 108, 109).
let private nodeAt (lambda: float[]) (b: Bottleneck) (z: Complex) (weight: Complex) (kappa: Complex) =
    let struct (tau, _) = degreesOfFreedom lambda kappa
    let psi = (Complex(b.AlphaN, 0.0) - tau) / (Complex.One - tau)
    let c = Complex.One - tau * inverseAlphaP b

    {
        Z = z
        Weight = weight
        Kappa = kappa
        Tau = tau
        Psi = psi
        C = c
    }

/// The ellipse through the contour: centre x_c, semi-axes a (real) and b (imaginary).
type private Ellipse = { Centre: float; A: float; B: float }

let private ellipseFor (edge: float) (rho: float) =
    let half = 0.5 * edge

    {
        Centre = half
        A = half * 0.5 * (rho + 1.0 / rho)
        B = half * 0.5 * (rho - 1.0 / rho)
    }

let private pointAt (e: Ellipse) (theta: float) =
    Complex(e.Centre + e.A * cos theta, e.B * sin theta)

/// dz/dθ on the ellipse.
let private tangentAt (e: Ellipse) (theta: float) =
    Complex(-e.A * sin theta, e.B * cos theta)

/// Continues a solution of the self-consistency (κ, or (κ, u) for the Gaussian map) from θ0 to θ1
/// along the ellipse: `newtonAt s state` solves at s = −z(θ1) from `state`; a solve is accepted when it
/// converges and moves κ by at most half its size, otherwise the step is halved; `failure θ` is raised
/// after 12 halvings.
let rec private continueAlong
    (e: Ellipse)
    (newtonAt: Complex -> 'S -> 'S option)
    (kappaOf: 'S -> Complex)
    (failure: float -> exn)
    (theta0: float)
    (state: 'S)
    (theta1: float)
    (depth: int)
    : 'S =
    let k0 = kappaOf state

    match newtonAt (-(pointAt e theta1)) state with
    | Some next when Complex.Abs(kappaOf next - k0) <= 0.5 * (Complex.Abs k0 + 1e-12) -> next
    | _ when depth < 12 ->
        let mid = 0.5 * (theta0 + theta1)
        let atMid = continueAlong e newtonAt kappaOf failure theta0 state mid (depth + 1)
        continueAlong e newtonAt kappaOf failure mid atMid theta1 (depth + 1)
    | _ -> raise (failure theta1)

/// The starting solution at θ = 0 (real z > edge): bisection in u on the decreasing branch of z(κ).
let private startingKappa (lambda: float[]) (b: Bottleneck) (uEdge: float) (z0: float) (what: string) =
    let lambda1 = Array.max lambda
    let z u = zOfKappa lambda b (kappaOfU lambda1 u)
    let mutable lo = uEdge
    let mutable hi = uEdge + 1.0

    while z hi < z0 && hi < 60.0 do
        hi <- hi + 2.0

    if z hi < z0 then
        raise (
            ConvergenceException(
                "two-point τ root finder (Eq. 110)",
                sprintf "%s: no real start at z = %s" what (fmt z0)
            )
        )

    for _ in 1..60 do
        let mid = 0.5 * (lo + hi)
        if z mid > z0 then hi <- mid else lo <- mid

    let k0 = kappaOfU lambda1 (0.5 * (lo + hi))

    match newton lambda b (Complex(-z0, 0.0)) (Complex(k0, 0.0)) with
    | Some k -> k
    | None ->
        raise (
            ConvergenceException(
                "two-point τ root finder (Eq. 110)",
                sprintf "%s: Newton failed at the real start z = %s" what (fmt z0)
            )
        )

/// Herglotz check of the branch: Im tr (z − M)⁻¹ = Im[−tr(Λ+κ)⁻¹/(Ψc)] must have the sign of −Im z.
let private checkBranch (lambda: float[]) (what: string) (node: Node) =
    if abs node.Z.Imaginary > 1e-12 * Complex.Abs node.Z then
        let mutable m0 = Complex.Zero

        for l in lambda do
            m0 <- m0 + Complex.One / (Complex(l, 0.0) + node.Kappa)

        let g = -(m0 / float lambda.Length) / (node.Psi * node.C)

        if g.Imaginary * node.Z.Imaginary > 0.0 then
            raise (
                ConvergenceException(
                    "two-point τ root finder (Eq. 110)",
                    sprintf "%s: the solution at z = %s is on a non-physical branch" what (string node.Z)
                )
            )

/// The n nodes from the upper half (θ ∈ [0, π], n/2 + 1 nodes): the lower half is the conjugate image,
/// F(z̄) = conj F(z) for every quantity of Eq. 36.
let private mirrored (upper: Node[]) (n: int) =
    let half = n / 2

    Array.init n (fun j ->
        if j <= half then
            upper[j]
        else
            let m = upper[n - j]

            {
                Z = Complex.Conjugate m.Z
                Weight = Complex.Conjugate m.Weight
                Kappa = Complex.Conjugate m.Kappa
                Tau = Complex.Conjugate m.Tau
                Psi = Complex.Conjugate m.Psi
                C = Complex.Conjugate m.C
            })

/// The n contour nodes θ_j = 2πj/n of the ellipse with parameter ρ around [0, edge]: the upper half
/// (j = 0..n/2) by continuation from `start` at θ = 0, node j built from its solution by `nodeOf`
/// (point, quadrature weight dz/dθ·2π/(2πi n), solution), checked for the Herglotz branch; the lower
/// half by conjugate symmetry. A continuation that fails raises ConvergenceException from `finder`.
let private solveOnContour
    (lambda: float[])
    (what: string)
    (edge: float)
    (rho: float)
    (n: int)
    (start: float -> 'S)
    (newtonAt: Complex -> 'S -> 'S option)
    (kappaOf: 'S -> Complex)
    (finder: string)
    (nodeOf: Complex -> Complex -> 'S -> Node)
    =
    let failure theta =
        ConvergenceException(finder, sprintf "%s: no solution continued to θ = %s on the contour" what (fmt theta))
        :> exn

    let e = ellipseFor edge rho
    let theta j = 2.0 * Math.PI * float j / float n
    let half = n / 2
    let states = Array.zeroCreate<'S>(half + 1)
    states[0] <- start (pointAt e 0.0).Real

    for j in 1..half do
        states[j] <- continueAlong e newtonAt kappaOf failure (theta (j - 1)) states[j - 1] (theta j) 0

    let upper =
        Array.init (half + 1) (fun j ->
            nodeOf (pointAt e (theta j)) (tangentAt e (theta j) / Complex(0.0, float n)) states[j])

    upper |> Array.iter (checkBranch lambda what)
    mirrored upper n

/// Solves Eq. 110 at the n nodes of the ellipse with parameter ρ around [0, edge] (`solveOnContour`).
let private solveNodes
    (spectrum: Spectrum.Spectrum)
    (b: Bottleneck)
    (edge: float)
    (uEdge: float)
    (rho: float)
    (n: int)
    =
    let lambda = spectrum.Lambda
    let what = describe spectrum b

    solveOnContour
        lambda
        what
        edge
        rho
        n
        (fun z0 -> startingKappa lambda b uEdge z0 what)
        (newton lambda b)
        id
        "two-point τ root finder (Eq. 110)"
        (nodeAt lambda b)

/// The width projection of Eq. 14: `Rank`, AᵀA the rank-N coordinate projection (Eq. 107), so B = AᵀA;
/// `Gaussian`, A ∈ R^{N×D} with iid N(0, 1/D) entries and B = (AᵀA)², whose nonzero eigenvalues are μ²
/// for μ the Marchenko–Pastur eigenvalues of AAᵀ (ratio y = N/D, mean 1).
type Projection =
    | Rank
    | Gaussian

/// G(w) = E[1/(w − μ)] for μ ~ MP(y) and G'(w), in the cancellation-free form
/// G = 2/(w − 1 + y + S), S = √(w − a)√(w − b), a, b = (1 ∓ √y)² (the product of principal roots has
/// its cut on [a, b] only).
let private mpStieltjes (y: float) (w: Complex) =
    let sy = sqrt y
    let a = (1.0 - sy) * (1.0 - sy)
    let b = (1.0 + sy) * (1.0 + sy)
    let root = Complex.Sqrt(w - a) * Complex.Sqrt(w - b)
    let den = w - (1.0 - y) + root
    let slope = Complex.One + (w - (1.0 + y)) / root
    struct (2.0 / den, -2.0 * slope / (den * den))

/// h(u) = E[1/(u + μ²)] and h'(u) = −E[1/(u + μ²)²] by partial fractions at μ = ±i√u:
/// h = (G(−iv) − G(iv))/(2iv), v = √u.
let private gaussianH (y: float) (u: Complex) =
    let v = Complex.Sqrt u
    let iv = Complex.ImaginaryOne * v
    let struct (gm, gm') = mpStieltjes y (-iv)
    let struct (gp, gp') = mpStieltjes y iv
    let num = gm - gp
    let num' = -Complex.ImaginaryOne * (gm' + gp')
    let h = num / (2.0 * iv)
    let dhdv = (num' - num / v) / (2.0 * iv)
    struct (h, dhdv / (2.0 * v))

/// Midpoint rule for E[f(μ)] under MP(y): μ = 1 + y − 2√y cos θ turns the law into
/// (2/π) sin²θ/μ dθ on (0, π), smooth and even, so the rule converges geometrically.
let private mpRule (y: float) (n: int) =
    let sy = sqrt y

    Array.init n (fun j ->
        let theta = Math.PI * (float j + 0.5) / float n
        let mu = 1.0 + y - 2.0 * sy * cos theta
        struct (mu, 2.0 / float n * sin theta * sin theta / mu))

/// Terms of the large-|u| series of τ_B (ratio b²/|u| ≤ 1/64 makes 12 terms exact to 1e-21).
[<Literal>]
let private SeriesTerms = 12

/// The B-side of Eq. 36 for B = (AᵀA)², A Gaussian: τ_B(u) = α_N E[μ²/(u + μ²)] and its derivative.
/// For |u| > 64 b² (b the upper MP edge) the closed form 1 − u h(u) cancels, and the moment series
/// τ_B = α_N Σ_k (−1)^k E[μ^(2k+2)]/u^(k+1) (exact Narayana moments) is used instead.
let private gaussianTauB (alphaN: float) (u: Complex) =
    let edge = (1.0 + sqrt alphaN) ** 2.0

    if Complex.Abs u > 64.0 * edge * edge then
        let mutable value = Complex.Zero
        let mutable slope = Complex.Zero
        let mutable power = Complex.One / u

        for k in 0 .. SeriesTerms - 1 do
            let m = MarchenkoPastur.moment (1.0 / alphaN) (2 * k + 2)
            let sign = if k % 2 = 0 then 1.0 else -1.0
            value <- value + sign * m * power
            slope <- slope - sign * m * float (k + 1) * power / u
            power <- power / u

        struct (alphaN * value, alphaN * slope)
    else
        let struct (h, h') = gaussianH alphaN u
        struct (alphaN * (Complex.One - u * h), -alphaN * (h + u * h'))

/// Nodes of the MP rule used for 𝓑 when the two arguments are too close for partial fractions.
[<Literal>]
let private GaussianRuleNodes = 4096

/// 𝓑(x, x') = (1 − α_N)/(xx') + α_N E[1/((x + μ²)(x' + μ²))] for B = (AᵀA)² (Eq. 38).
let private gaussianCorrelation (alphaN: float) (rule: struct (float * float)[]) (x: Complex) (x': Complex) =
    let pair =
        if Complex.Abs(x - x') >= 0.25 * max (Complex.Abs x) (Complex.Abs x') then
            let struct (h, _) = gaussianH alphaN x
            let struct (h', _) = gaussianH alphaN x'
            (h - h') / (x' - x)
        else
            let mutable acc = Complex.Zero

            for struct (mu, w) in rule do
                let m2 = mu * mu
                acc <- acc + w / ((x + m2) * (x' + m2))

            acc

    (1.0 - alphaN) / (x * x') + alphaN * pair

/// Eq. 36 for a general B: unknowns κ and s_B with τ = df(κ), Ψ = s_Bτ/(1 − τ), c = 1 − τ/α_P:
/// F₁ = κΨc − s = 0 (a = s/Ψ, κ = a/c) and F₂ = τ_B(s_B) − τ = 0; Newton on both, None when it does
/// not settle in 60 steps.
let private newtonGaussian (lambda: float[]) (b: Bottleneck) (s: Complex) (start: struct (Complex * Complex)) =
    let ip = inverseAlphaP b

    let rec go (kappa: Complex) (u: Complex) (previous: float) iteration =
        if iteration > 60 then
            None
        else
            let struct (tau, dtau) = degreesOfFreedom lambda kappa
            let struct (tb, tb') = gaussianTauB b.AlphaN u
            let psi = u * tau / (Complex.One - tau)
            let c = Complex.One - tau * ip
            let f1 = kappa * psi * c - s
            let f2 = tb - tau
            let dpsi = u / ((Complex.One - tau) * (Complex.One - tau))
            let a11 = psi * c + kappa * (dpsi * c - psi * ip) * dtau
            let a12 = kappa * c * tau / (Complex.One - tau)
            let a21 = -dtau
            let a22 = tb'
            let det = a11 * a22 - a12 * a21
            let dk = (f1 * a22 - a12 * f2) / det
            let du = (a11 * f2 - a21 * f1) / det

            if
                not (
                    Double.IsFinite dk.Real
                    && Double.IsFinite dk.Imaginary
                    && Double.IsFinite du.Real
                    && Double.IsFinite du.Imaginary
                )
            then
                None
            else
                let k' = kappa - dk
                let u' = u - du

                let step = max (Complex.Abs dk / Complex.Abs k') (Complex.Abs du / Complex.Abs u')

                // Converged, or stalled at the rounding floor (steps stop shrinking below 1e-10).
                if step <= 1e-14 || (step <= 1e-10 && step >= 0.5 * previous) then
                    Some(struct (k', u'))
                else
                    go k' u' step (iteration + 1)

    let struct (k0, u0) = start
    go k0 u0 infinity 0

/// The right edge of the spectrum of M for the Gaussian map. On the real axis right of the spectrum both
/// subordination variables are real: s_B = u < −b² (b the upper MP edge, so −u lies above the spectrum of
/// B) and κ < −λ₁. Parametrized by u, τ = τ_B(u) < 0, κ solves df(κ) = τ (monotone on κ < −λ₁), and
/// z(u) = −κΨc with Ψ = uτ/(1 − τ) (Eq. 36); the edge is the minimum of z(u), found by a log scan in
/// −u − b² and golden-section refinement.
let private gaussianEdge (spectrum: Spectrum.Spectrum) (b: Bottleneck) =
    let lambda = spectrum.Lambda
    let lambda1 = Array.max lambda
    let mpEdge = (1.0 + sqrt b.AlphaN) ** 2.0
    let b2 = mpEdge * mpEdge
    let ip = inverseAlphaP b

    let realDf (kappa: float) =
        let mutable acc = 0.0

        for l in lambda do
            acc <- acc + l / (l + kappa)

        acc / float lambda.Length

    let kappaFor (tau: float) =
        let mutable lo = -40.0
        let mutable hi = 40.0

        for _ in 1..100 do
            let mid = 0.5 * (lo + hi)

            if realDf (kappaOfU lambda1 mid) < tau then
                lo <- mid
            else
                hi <- mid

        kappaOfU lambda1 (0.5 * (lo + hi))

    let z (w: float) =
        let u = -b2 - exp w
        let struct (tb, _) = gaussianTauB b.AlphaN (Complex(u, 0.0))
        let tau = tb.Real
        let kappa = kappaFor tau
        let psi = u * tau / (1.0 - tau)
        -kappa * psi * (1.0 - tau * ip)

    let grid = Array.init 141 (fun i -> -30.0 + 0.5 * float i)
    let values = grid |> Array.map z
    let best = values |> Array.indexed |> Array.minBy snd |> fst
    let mutable a = grid[max 0 (best - 1)]
    let mutable c = grid[min (grid.Length - 1) (best + 1)]
    let golden = (sqrt 5.0 - 1.0) / 2.0

    for _ in 1..60 do
        let x1 = c - golden * (c - a)
        let x2 = a + golden * (c - a)
        if z x1 < z x2 then c <- x2 else a <- x1

    min (z (0.5 * (a + c))) values[best]

/// The real solution at z0 > edge, continued in 80 log steps from z = 10⁶·z0 where κ ≈ −z/tr B and
/// s_B ≈ tr B/τ (tr B = α_N(1 + y), the first moment).
let private gaussianStart (lambda: float[]) (b: Bottleneck) (z0: float) (what: string) =
    let traceB = b.AlphaN * (1.0 + b.AlphaN)
    let zs = Array.init 81 (fun i -> z0 * 1e6 ** (1.0 - float i / 80.0))
    let k0 = Complex(-zs[0] / traceB, 0.0)
    let struct (tau0, _) = degreesOfFreedom lambda k0

    zs
    |> Array.fold
        (fun (state: struct (Complex * Complex)) z ->
            match newtonGaussian lambda b (Complex(-z, 0.0)) state with
            | Some next -> next
            | None ->
                raise (
                    ConvergenceException(
                        "two-point τ root finder (Eq. 36, Gaussian map)",
                        sprintf "%s: no real solution continued to z = %s" what (fmt z)
                    )
                ))
        (struct (k0, traceB / tau0))

/// Solves Eq. 36 at the n nodes of the ellipse for the Gaussian map, as `solveNodes` does for the rank
/// projection (`solveOnContour`); the solution carries (κ, u), and Ψ = uτ/(1 − τ).
let private solveGaussianNodes (spectrum: Spectrum.Spectrum) (b: Bottleneck) (edge: float) (rho: float) (n: int) =
    let lambda = spectrum.Lambda
    let what = describe spectrum b + ", Gaussian map"

    let nodeOf z weight (struct (k, u): struct (Complex * Complex)) =
        let node = nodeAt lambda b z weight k

        { node with
            Psi = u * node.Tau / (Complex.One - node.Tau)
        }

    solveOnContour
        lambda
        what
        edge
        rho
        n
        (fun z0 -> gaussianStart lambda b z0 what)
        (newtonGaussian lambda b)
        (fun (struct (k, _)) -> k)
        "two-point τ root finder (Eq. 36, Gaussian map)"
        nodeOf

/// 𝓑(s, s') = tr (s_B + B)⁻¹(s'_B + B)⁻¹ for the rank-N projection B (Eqs. 38, 107–108),
/// s_B = (1/τ − 1)Ψ (Eq. 36).
let private bCorrelation (alphaN: float) (p: Node) (q: Node) =
    let sb (n: Node) =
        (Complex.One / n.Tau - Complex.One) * n.Psi

    let x = sb p
    let y = sb q
    alphaN / ((Complex.One + x) * (Complex.One + y)) + (1.0 - alphaN) / (x * y)

/// Mode sums T[v](i, j) = (1/D) Σ_k v_k y_ik y_jk with y_ik = 1/(λ_k + κ_i), for
/// v ∈ {1, λ, λ², ω, λω}.
[<Struct>]
type private PairSums =
    {
        T1: Complex
        TL: Complex
        TL2: Complex
        TW: Complex
        TLW: Complex
    }

/// The weights v_k ∈ {1, λ_k, λ_k², ω_k, λ_kω_k} of the mode sums.
type private ModeWeights =
    {
        L: float[]
        L2: float[]
        W: float[]
        LW: float[]
    }

let private modeWeights (lambda: float[]) (omega: float[]) =
    {
        L = lambda
        L2 = lambda |> Array.map (fun l -> l * l)
        W = omega
        LW = Array.map2 (*) lambda omega
    }

/// One-node sums m_v(i) = (1/D) Σ_k v_k y_ik, stored in the PairSums shape.
let private oneNodeSums (w: ModeWeights) (yi: Complex[]) =
    let mutable t1 = Complex.Zero
    let mutable tl = Complex.Zero
    let mutable tl2 = Complex.Zero
    let mutable tw = Complex.Zero
    let mutable tlw = Complex.Zero

    for k in 0 .. yi.Length - 1 do
        let v = yi[k]
        t1 <- t1 + v
        tl <- tl + w.L[k] * v
        tl2 <- tl2 + w.L2[k] * v
        tw <- tw + w.W[k] * v
        tlw <- tlw + w.LW[k] * v

    let d = float yi.Length

    {
        T1 = t1 / d
        TL = tl / d
        TL2 = tl2 / d
        TW = tw / d
        TLW = tlw / d
    }

/// Direct pair sums T[v](i, j) = (1/D) Σ_k v_k y_ik y_jk, O(D) per pair, in real arithmetic.
let private directSums (w: ModeWeights) (yi: Complex[]) (yj: Complex[]) =
    let mutable r1, i1, rl, il, rl2, il2, rw, iw, rlw, ilw =
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0

    for k in 0 .. yi.Length - 1 do
        let a = yi[k]
        let c = yj[k]
        let re = a.Real * c.Real - a.Imaginary * c.Imaginary
        let im = a.Real * c.Imaginary + a.Imaginary * c.Real
        r1 <- r1 + re
        i1 <- i1 + im
        rl <- rl + w.L[k] * re
        il <- il + w.L[k] * im
        rl2 <- rl2 + w.L2[k] * re
        il2 <- il2 + w.L2[k] * im
        rw <- rw + w.W[k] * re
        iw <- iw + w.W[k] * im
        rlw <- rlw + w.LW[k] * re
        ilw <- ilw + w.LW[k] * im

    let d = float yi.Length

    {
        T1 = Complex(r1, i1) / d
        TL = Complex(rl, il) / d
        TL2 = Complex(rl2, il2) / d
        TW = Complex(rw, iw) / d
        TLW = Complex(rlw, ilw) / d
    }

/// Pair sums by partial fractions, y_i y_j = (y_i − y_j)/(κ_j − κ_i): O(1) per pair from the
/// one-node sums; used only when |κ_i − κ_j| ≥ SeparatedNodes·max|κ| (cancellation ≤ ~1 digit).
let private partialFractions (mi: PairSums) (mj: PairSums) (gap: Complex) =
    {
        T1 = (mi.T1 - mj.T1) / gap
        TL = (mi.TL - mj.TL) / gap
        TL2 = (mi.TL2 - mj.TL2) / gap
        TW = (mi.TW - mj.TW) / gap
        TLW = (mi.TLW - mj.TLW) / gap
    }

/// Relative separation of κ_i, κ_j above which partial fractions replace the direct sums.
[<Literal>]
let private SeparatedNodes = 0.25

/// The two-point kernel F(z_i, z_j) = tr Ω (z_i − M)⁻ᵀ Λ (z_j − M)⁻¹ (theory/two-point.md §3–4):
/// Eqs. 38–40 with A = Σ̂, B = (AᵀA)², then the Wishart two-point equivalent
/// (a+Σ̂)⁻¹Q(b+Σ̂)⁻¹ ≃ X_a⁻¹(Q − c₁₂Λ)X_b⁻¹.
let private pairKernel
    (variant: Variant)
    (correlation: Node -> Node -> Complex)
    (ip: float)
    (traceOmega: float)
    (m0: Complex[])
    (mw: Complex[])
    (nodes: Node[])
    (i: int)
    (j: int)
    (t: PairSums)
    =
    let p = nodes[i]
    let q = nodes[j]
    let s = -p.Z
    let s' = -q.Z
    let den = Complex.One - ip * t.TL2
    let cc = p.C * q.C
    let pp = p.Psi * q.Psi
    let trRsRs = (t.T1 + ip * t.TL * t.TL / den) / (cc * pp)
    let trWRsRs = (t.TW + ip * t.TL * t.TLW / den) / (cc * pp)
    let trRs (n: Node) (m: Complex) = m / (n.Psi * n.C)

    let calA =
        (Complex.One - s * trRs p m0[i] - s' * trRs q m0[j] + s * s' * trRsRs) / pp

    let nvv =
        (Complex(traceOmega, 0.0) - s * trRs p mw[i] - s' * trRs q mw[j]
         + s * s' * trWRsRs)
        / pp

    let calB = correlation p q
    let inv = pp / (p.Tau * q.Tau)
    let sigmaVV = nvv / (Complex.One - (inv - Complex.One / calB) * calA)

    let psiChiChi =
        match variant.ChiChi with
        | Eq38 -> sigmaVV * (Complex.One / calB - inv)
        | PrintedText -> sigmaVV * (calB - inv)

    let outer =
        match variant.Outer with
        | Derived -> den
        | Eq15 -> Complex.One

    (t.TLW - psiChiChi * t.TL) / (outer * cc * pp)

/// Builds the kernel on n nodes (n even ≥ 8) for the ellipse parameter ρ.
let private buildKernel
    (projection: Projection)
    (variant: Variant)
    (spectrum: Spectrum.Spectrum)
    (b: Bottleneck)
    (struct (edge, uEdge): struct (float * float))
    (rho: float)
    (n: int)
    =
    let nodes, correlation =
        match projection with
        | Rank -> solveNodes spectrum b edge uEdge rho n, bCorrelation b.AlphaN
        | Gaussian ->
            let rule = mpRule b.AlphaN GaussianRuleNodes

            let sb (node: Node) =
                (Complex.One / node.Tau - Complex.One) * node.Psi

            solveGaussianNodes spectrum b edge rho n,
            (fun (p: Node) (q: Node) -> gaussianCorrelation b.AlphaN rule (sb p) (sb q))

    let lambda = spectrum.Lambda
    let omega = spectrum.Omega
    let d = lambda.Length
    let ip = inverseAlphaP b
    let traceOmega = Array.average omega

    let y =
        Array.init n (fun i -> Array.init d (fun k -> reciprocal lambda[k] nodes[i].Kappa))

    let weights = modeWeights lambda omega
    let moments = y |> Array.map (oneNodeSums weights)
    let m0 = moments |> Array.map (fun t -> t.T1)
    let mw = moments |> Array.map (fun t -> t.TW)

    let sums i j =
        let ki = nodes[i].Kappa
        let kj = nodes[j].Kappa

        if Complex.Abs(ki - kj) >= SeparatedNodes * max (Complex.Abs ki) (Complex.Abs kj) then
            partialFractions moments[i] moments[j] (kj - ki)
        else
            directSums weights y[i] y[j]

    let f = Array2D.zeroCreate<Complex> n n
    let half = n / 2

    for i in 0..half do
        for j in i .. n - 1 do
            let v = pairKernel variant correlation ip traceOmega m0 mw nodes i j (sums i j)
            f[i, j] <- v
            f[j, i] <- v

    for i in half + 1 .. n - 1 do
        for j in i .. n - 1 do
            let v = Complex.Conjugate f[n - i, (n - j) % n]
            f[i, j] <- v
            f[j, i] <- v

    for i in 0 .. n - 1 do
        for j in 0 .. n - 1 do
            let v = f[i, j]

            if not (Double.IsFinite v.Real && Double.IsFinite v.Imaginary) then
                raise (
                    ConvergenceException(
                        "two-point kernel (Eqs. 38–40)",
                        sprintf
                            "%s: non-finite F at z = %s, z' = %s"
                            (describe spectrum b)
                            (string nodes[i].Z)
                            (string nodes[j].Z)
                    )
                )

    {
        Nodes = nodes
        F = f
        UpperRe = Array.init ((n / 2 + 1) * n) (fun idx -> f[idx / n, idx % n].Real)
        UpperIm = Array.init ((n / 2 + 1) * n) (fun idx -> f[idx / n, idx % n].Imaginary)
        Edge = edge
        Rho = rho
    }

/// p(z) = (1 − γz/L)^L (Eq. 101).
let private polynomial (gamma: float) (depth: int) (z: Complex) =
    Complex.Pow(Complex.One - gamma * z / float depth, float depth)

/// ∂p/∂γ = −z (1 − γz/L)^(L−1).
let private polynomialSlope (gamma: float) (depth: int) (z: Complex) =
    -z * Complex.Pow(Complex.One - gamma * z / float depth, float (depth - 1))

/// Rows 0..n/2 of F·v over every `stride`-th node: with F(z̄_i, z̄_j) = conj F(z_i, z_j) and v_{n−j} =
/// conj v_j, the lower rows are the conjugates of the upper ones, (Fv)_{n−i} = conj (Fv)_i.
let private upperProduct (k: Kernel) (stride: int) (v: Complex[]) =
    let n = k.Nodes.Length
    let rows = Array.zeroCreate<Complex>(n / 2 + 1)

    if stride = 1 then
        let vr = v |> Array.map (fun c -> c.Real)
        let vi = v |> Array.map (fun c -> c.Imaginary)

        for i in 0 .. n / 2 do
            let ar = ReadOnlySpan<float>(k.UpperRe, i * n, n)
            let ai = ReadOnlySpan<float>(k.UpperIm, i * n, n)
            let rr = TensorPrimitives.Dot(ar, ReadOnlySpan<float>(vr))
            let ii = TensorPrimitives.Dot(ai, ReadOnlySpan<float>(vi))
            let ri = TensorPrimitives.Dot(ar, ReadOnlySpan<float>(vi))
            let ir = TensorPrimitives.Dot(ai, ReadOnlySpan<float>(vr))
            rows[i] <- Complex(rr - ii, ri + ir)
    else
        for i in 0..stride .. n / 2 do
            let mutable re = 0.0
            let mutable im = 0.0

            for j in 0..stride .. n - 1 do
                let a = k.F[i, j]
                let b = v[j]
                re <- re + a.Real * b.Real - a.Imaginary * b.Imaginary
                im <- im + a.Real * b.Imaginary + a.Imaginary * b.Real

            rows[i] <- Complex(re, im)

    rows

/// Σ_ij u_i (Fv)_i for conjugate-symmetric u (u_{n−i} = conj u_i), which is real:
/// u_0(Fv)_0 + u_{n/2}(Fv)_{n/2} + 2 Re Σ_{0<i<n/2} u_i (Fv)_i, over every `stride`-th node.
let private pairWith (k: Kernel) (stride: int) (u: Complex[]) (rows: Complex[]) =
    let n = k.Nodes.Length
    let half = n / 2
    let mutable acc = (u[0] * rows[0]).Real + (u[half] * rows[half]).Real

    for i in stride..stride .. half - 1 do
        acc <- acc + 2.0 * (u[i] * rows[i]).Real

    acc * float (stride * stride)

/// Σ_ij u_i v_j F_ij over every `stride`-th node (stride 2 gives the n/2-node rule) for the
/// conjugate-symmetric vectors of the trapezoid rule (half the rows of F suffice).
let private quadratic (k: Kernel) (stride: int) (u: Complex[]) (v: Complex[]) =
    Complex(pairWith k stride u (upperProduct k stride v), 0.0)

/// ℒ(γ) = Σ_ij w_i w_j p(z_i) p(z_j) F(z_i, z_j) (Eq. 103) on the full rule and on every second node.
let private lossPair (k: Kernel) (gamma: float) (depth: int) =
    let u =
        k.Nodes |> Array.map (fun node -> node.Weight * polynomial gamma depth node.Z)

    struct (quadratic k 1 u u, quadratic k 2 u u)

/// ∂²p/∂γ² = z²(L − 1)/L (1 − γz/L)^(L−2).
let private polynomialCurvature (gamma: float) (depth: int) (z: Complex) =
    if depth = 1 then
        Complex.Zero
    else
        z * z * float (depth - 1) / float depth
        * Complex.Pow(Complex.One - gamma * z / float depth, float (depth - 2))

/// w·p, w·∂p/∂γ and w·∂²p/∂γ² at every node from one power: with q = 1 − γz/L, p = q^L,
/// ∂p/∂γ = −z p/q and ∂²p/∂γ² = z²(L − 1)/L · p/q² (Pow per derivative where q = 0).
let private polynomialVectors (k: Kernel) (gamma: float) (depth: int) =
    let n = k.Nodes.Length
    let u = Array.zeroCreate<Complex> n
    let du = Array.zeroCreate<Complex> n
    let ddu = Array.zeroCreate<Complex> n
    let l = float depth

    for i in 0 .. n - 1 do
        let node = k.Nodes[i]
        let z = node.Z
        let q = Complex.One - gamma * z / l

        if q = Complex.Zero then
            u[i] <- node.Weight * polynomial gamma depth z
            du[i] <- node.Weight * polynomialSlope gamma depth z
            ddu[i] <- node.Weight * polynomialCurvature gamma depth z
        else
            let p = Complex.Pow(q, l)
            u[i] <- node.Weight * p
            du[i] <- node.Weight * (-z * p / q)
            ddu[i] <- node.Weight * (z * z * (l - 1.0) / l * p / (q * q))

    struct (u, du, ddu)

/// ∂ℒ/∂γ from one converged kernel on the full rule only (no error estimate): one half product with F.
let slopeValue (k: Kernel) (gamma: float) (depth: int) =
    Validate.nonNegative "gamma" gamma
    Validate.atLeast "depth" 1 depth
    let struct (u, du, _) = polynomialVectors k gamma depth
    2.0 * pairWith k 1 du (upperProduct k 1 u)

/// ∂ℒ/∂γ and ∂²ℒ/∂γ² from one converged kernel (full rule, no error estimate), for Newton steps on the
/// stationary point: ∂ℒ/∂γ = 2 Σ w w p' p F, ∂²ℒ/∂γ² = 2 Σ w w (p' p' + p'' p) F.
let slopeAndCurvature (k: Kernel) (gamma: float) (depth: int) =
    Validate.nonNegative "gamma" gamma
    Validate.atLeast "depth" 1 depth
    let struct (u, du, ddu) = polynomialVectors k gamma depth
    let fu = upperProduct k 1 u
    let fdu = upperProduct k 1 du
    struct (2.0 * pairWith k 1 du fu, 2.0 * (pairWith k 1 du fdu + pairWith k 1 ddu fu))

/// ∂ℒ/∂γ = 2 Σ_ij w_i w_j ∂p(z_i) p(z_j) F_ij (the kernel is symmetric) on the full rule and on every
/// second node.
let private slopePair (k: Kernel) (gamma: float) (depth: int) =
    let struct (u, du, _) = polynomialVectors k gamma depth
    struct (2.0 * quadratic k 1 du u, 2.0 * quadratic k 2 du u)

/// The ellipse parameter for the largest γ²/L to be evaluated: semi-minor axis b = √(2L)/γ keeps
/// |p(z)| within a factor e of its values on [0, edge]; ρ clamped to [1.1, 4].
let rhoFor (edge: float) (gammaSquaredOverDepth: float) =
    if gammaSquaredOverDepth <= 0.0 then
        4.0
    else
        let bAxis = sqrt (2.0 / gammaSquaredOverDepth)
        let q = 4.0 * bAxis / edge
        let rho = 0.5 * (q + sqrt (q * q + 4.0))
        min 4.0 (max 1.1 rho)

/// Default relative tolerance of the node-doubling test.
[<Literal>]
let DefaultTolerance = 1e-10

/// Largest number of contour nodes before non-convergence is reported.
[<Literal>]
let MaxNodes = 1024

/// A kernel for the bottleneck, converged by node doubling (from 32 nodes) until every probe
/// (γ, L) changes by at most `tolerance` relative (absolute floor 1e-300) between n/2 and n nodes.
let kernelForProjection
    (projection: Projection)
    (variant: Variant)
    (spectrum: Spectrum.Spectrum)
    (b: Bottleneck)
    (probes: (float * int) list)
    (tolerance: float)
    =
    validate spectrum b
    Validate.inRange "tolerance" 1e-14 1e-2 tolerance

    for (g, l) in probes do
        Validate.nonNegative "gamma" g
        Validate.atLeast "depth" 1 l

    let edgeAt =
        match projection with
        | Rank -> spectralEdge spectrum b
        | Gaussian -> struct (gaussianEdge spectrum b, 0.0)

    let struct (edge, _) = edgeAt

    let worst = probes |> List.map (fun (g, l) -> g * g / float l) |> List.fold max 0.0

    let rho = rhoFor edge worst

    let rec refine n =
        let k = buildKernel projection variant spectrum b edgeAt rho n

        let converged =
            probes
            |> List.forall (fun (g, l) ->
                let struct (full, halfRule) = lossPair k g l
                abs (full.Real - halfRule.Real) <= tolerance * abs full.Real + 1e-300)

        if converged then
            k
        elif 2 * n > MaxNodes then
            let at =
                probes
                |> List.map (fun (g, l) -> sprintf "(γ = %s, L = %d)" (fmt g) l)
                |> String.concat ", "

            raise (
                ConvergenceException(
                    "two-point contour integral (Eq. 103)",
                    sprintf
                        "%s, %s: not converged to %s relative with %d nodes (ρ = %s)"
                        (describe spectrum b)
                        at
                        (fmt tolerance)
                        n
                        (fmt rho)
                )
            )
        else
            refine (2 * n)

    refine 32

/// `kernelForProjection Rank`: the rank-N coordinate projection of Eq. 107.
let kernelFor
    (variant: Variant)
    (spectrum: Spectrum.Spectrum)
    (b: Bottleneck)
    (probes: (float * int) list)
    (tolerance: float)
    =
    kernelForProjection Rank variant spectrum b probes tolerance

/// ℒ(γ; L) from a converged kernel with its node-doubling error estimate.
let lossFrom (k: Kernel) (gamma: float) (depth: int) =
    Validate.nonNegative "gamma" gamma
    Validate.atLeast "depth" 1 depth
    let struct (full, halfRule) = lossPair k gamma depth

    {
        Loss = full.Real
        ErrorEstimate = abs (full.Real - halfRule.Real)
        Nodes = k.Nodes.Length
    }

/// ∂ℒ/∂γ from a converged kernel with its node-doubling error estimate.
let slopeFrom (k: Kernel) (gamma: float) (depth: int) =
    Validate.nonNegative "gamma" gamma
    Validate.atLeast "depth" 1 depth
    let struct (full, halfRule) = slopePair k gamma depth

    {
        Loss = full.Real
        ErrorEstimate = abs (full.Real - halfRule.Real)
        Nodes = k.Nodes.Length
    }

/// One evaluation of ℒ(γ; N, L, P) (Eq. 103) to `tolerance` relative by node doubling.
let lossWith
    (variant: Variant)
    (spectrum: Spectrum.Spectrum)
    (b: Bottleneck)
    (gamma: float)
    (depth: int)
    (tolerance: float)
    =
    let k = kernelFor variant spectrum b [ gamma, depth ] tolerance
    lossFrom k gamma depth

/// The engine's ℒ(γ; N, L, P) to the default tolerance.
let loss (spectrum: Spectrum.Spectrum) (b: Bottleneck) (gamma: float) (depth: int) =
    lossWith derived spectrum b gamma depth DefaultTolerance

/// P → ∞ with a rank-N projection, by an independent one-point route (theory/two-point.md §5):
/// with Π = UUᵀ and K = UᵀΛU, p(ΠΛ) = I + U q(K) UᵀΛ, so
/// ℒ = tr ΩΛ + (1/2πi)∮ (p(z)² − 1) tr ΩΛ (z − Ψ(z)Λ)⁻¹ dz, a single contour integral of the
/// one-point equivalent (z − ΠΛ)⁻¹ ≃ (z − ΨΛ)⁻¹ (Eq. 36).
let lossInfiniteContext (spectrum: Spectrum.Spectrum) (alphaN: float) (gamma: float) (depth: int) (n: int) =
    let b = { AlphaN = alphaN; AlphaP = None }
    validate spectrum b
    Validate.nonNegative "gamma" gamma
    Validate.atLeast "depth" 1 depth
    Validate.atLeast "nodes" 8 n
    let struct (edge, uEdge) = spectralEdge spectrum b
    let rho = rhoFor edge (gamma * gamma / float depth)
    let nodes = solveNodes spectrum b edge uEdge rho n
    let lambda = spectrum.Lambda
    let omega = spectrum.Omega
    let traceOmegaLambda = Array.map2 (*) lambda omega |> Array.average

    let contribution (node: Node) =
        let mutable acc = Complex.Zero

        for k in 0 .. lambda.Length - 1 do
            acc <- acc + omega[k] * lambda[k] / (node.Z - node.Psi * lambda[k])

        let p = polynomial gamma depth node.Z
        node.Weight * (p * p - Complex.One) * acc / float lambda.Length

    let integral =
        nodes
        |> Array.fold (fun (sum: Complex) node -> sum + contribution node) Complex.Zero

    traceOmegaLambda + integral.Real

/// The largest γ the flow from 0 can reach at depth L: beyond 2L/x₊ every mode of M with
/// eigenvalue near the edge x₊ is amplified (|1 − γx₊/L| > 1), so the first minimum lies below it.
let gammaCeiling (k: Kernel) (depth: int) = 2.0 * float depth / k.Edge

/// A kernel valid along the whole flow at depth L: converged at γ = 0, L and the ceiling 2L/x₊.
let flowKernel (variant: Variant) (spectrum: Spectrum.Spectrum) (b: Bottleneck) (depth: int) (tolerance: float) =
    Validate.atLeast "depth" 1 depth
    let struct (edge, _) = spectralEdge spectrum b
    let ceiling = 2.0 * float depth / edge

    kernelFor variant spectrum b [ 0.0, depth; float depth, depth; 0.5 * ceiling, depth; ceiling, depth ] tolerance

/// One point of the finite-(N, L, P) flow: time, γ(t), ℒ(γ(t)).
type FlowPoint = { T: float; Gamma: float; Loss: float }

/// Gradient flow dγ/dt = −½ ∂ℒ/∂γ from γ(0) = 0 (the time of Eq. 13, to which it reduces at
/// N = D, P → ∞) on the deterministic loss of Eq. 103, by adaptive Dormand–Prince 5(4) with relative
/// tolerance 1e-11 on one kernel. Times ≥ 0 in any order; a failed run raises ConvergenceException.
let flowOn (k: Kernel) (depth: int) (times: float[]) =
    Validate.atLeast "depth" 1 depth

    if isNull times || times.Length = 0 then
        raise (InvalidParameterException("times", "an empty array", "at least one time >= 0"))

    times |> Array.iter (Validate.nonNegative "times")
    let order = Array.init times.Length id |> Array.sortBy (fun i -> times[i])
    let sorted = order |> Array.map (fun i -> times[i])
    let rate (g: float) = -0.5 * (slopeFrom k g depth).Loss

    let problem: Ode.Problem =
        {
            Rhs = fun _ y -> [| rate y[0] |]
            T0 = 0.0
            Y0 = [| 0.0 |]
        }

    let options =
        { Ode.defaultOptions with
            RelTol = 1e-11
            AbsTol = 1e-14
            MaxSteps = 200_000
        }

    let solution = Ode.solve Ode.dormandPrince54 options problem sorted

    if solution.ReturnCode <> Ode.Success then
        raise (
            ConvergenceException(
                "TwoPoint.flowOn",
                sprintf
                    "depth %d, %d nodes: return code %A after %d accepted steps"
                    depth
                    k.Nodes.Length
                    solution.ReturnCode
                    solution.AcceptedSteps
            )
        )

    let points =
        solution.States
        |> Array.mapi (fun i y ->
            {
                T = sorted[i]
                Gamma = y[0]
                Loss = (lossFrom k y[0] depth).Loss
            })

    let result = Array.zeroCreate times.Length
    order |> Array.iteri (fun j i -> result[i] <- points[j])
    result

/// The engine's finite-(N, L, P) flow (Eq. 103 loss, Eq. 13 time) at the default tolerance.
let flow (spectrum: Spectrum.Spectrum) (b: Bottleneck) (depth: int) (times: float[]) =
    flowOn (flowKernel derived spectrum b depth DefaultTolerance) depth times

/// κ > 0 with df(κ) = tr Λ(Λ + κ)⁻¹ = target ∈ (0, 1): df decreases from 1 to 0 on κ > 0, so Newton in
/// x = ln κ (df' = −κ tr Λ(Λ + κ)⁻²) is kept inside a shrinking bisection bracket; O(D) per step.
let kappaForDf (lambda: float[]) (target: float) =
    let n = float lambda.Length

    let dfAndSlope (x: float) =
        let kappa = exp x
        let mutable df = 0.0
        let mutable slope = 0.0

        for l in lambda do
            let y = l / (l + kappa)
            df <- df + y
            slope <- slope - y * kappa / (l + kappa)

        struct (df / n - target, slope / n)

    let rec solve (lo: float) (hi: float) (x: float) iteration =
        let struct (f, f') = dfAndSlope x
        let lo, hi = if f > 0.0 then x, hi else lo, x
        let newton = x - f / f'

        let next =
            if newton > lo && newton < hi then
                newton
            else
                0.5 * (lo + hi)

        if
            abs (next - x) <= 1e-14 * (1.0 + abs x)
            || hi - lo <= 1e-14 * (1.0 + abs x)
            || iteration > 200
        then
            exp next
        else
            solve lo hi next (iteration + 1)

    let lo = log (Array.min lambda) - 40.0
    let hi = log (Array.max lambda) + 40.0
    solve lo hi (0.5 * (lo + hi)) 0

/// The width bottleneck at t, L → ∞ and P → ∞ (rank-N projection), exactly: p(M) tends to the projector
/// onto ker M along its range, so ℒ is the residue at z = 0 of the one-point integrand of §5,
/// ℒ_N = lim_{z→0} z tr ΩΛ(z − Ψ(z)Λ)⁻¹ = κ tr ΩΛ(Λ + κ)⁻¹ with df(κ) = α_N (Eq. 111), since
/// Ψ(z) ≈ −z/κ there (theory/two-point.md §5b). Requires α_N < 1.
let widthLimit (spectrum: Spectrum.Spectrum) (alphaN: float) =
    if not (alphaN > 0.0 && alphaN < 1.0) then
        raise (InvalidParameterException("width", fmt alphaN, "a ratio N/D in (0, 1)"))

    let kappa = kappaForDf spectrum.Lambda alphaN

    Array.map2 (fun l w -> kappa * l * w / (l + kappa)) spectrum.Lambda spectrum.Omega
    |> Array.average

/// The context bottleneck at t, L → ∞ and N = D, exactly: the double pole of F(z, z') at z = z' = 0,
/// ℒ_P = κ² tr ΩΛ(Λ + κ)⁻² / (1 − tr Λ²(Λ + κ)⁻²/α_P) with df(κ) = α_P (Eqs. 114–115), since c(z) ≈ −z/κ
/// there (theory/two-point.md §5b). Requires α_P < 1 (P < D, so that Σ̂ has a null space).
let contextLimit (spectrum: Spectrum.Spectrum) (alphaP: float) =
    if not (alphaP > 0.0 && alphaP < 1.0) then
        raise (InvalidParameterException("context", fmt alphaP, "a ratio P/D in (0, 1)"))

    let lambda = spectrum.Lambda
    let kappa = kappaForDf lambda alphaP

    let signal =
        Array.map2 (fun l w -> l * w / ((l + kappa) * (l + kappa))) lambda spectrum.Omega
        |> Array.average

    let df2 = lambda |> Array.averageBy (fun l -> l * l / ((l + kappa) * (l + kappa)))

    kappa * kappa * signal / (1.0 - df2 / alphaP)
