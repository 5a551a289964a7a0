/// Fixed structured covariance (FS, Section 3.2; Appendix D) at P → ∞ with Σ = Λ and Ω
/// codiagonal: Γ stays diagonal with eigenvalues γ_k (Result 4), the trained model
/// preconditions by Σ⁻¹ (Result 3) and is brittle to a rotated covariance (Result 5, Eq. 11).
module IclTheory.Solver.FsTheory

open System
open MathNet.Numerics.LinearAlgebra
open IclTheory.Solver.Spectrum

/// The time scale of the mode flow. Eq10: dγ_k/dt = ω_kλ_k²(1 - λ_kγ_k/L)^(2L-1) (Eq. 10, the
/// project's SGD convention dΓ/dt = -(D/2)∂ℒ/∂Γ of Eq. 62). Eq85: twice that rate, as
/// Appendix D's Eq. 85 prints it (plain gradient flow on Eq. 84 without the 1/D).
type ModeConvention =
    | Eq10
    | Eq85

/// The rate factor c of dγ_k/dt = c·ω_kλ_k²(1 - λ_kγ_k/L)^(2L-1): 1 (Eq. 10) or 2 (Eq. 85).
let rateFactor (convention: ModeConvention) =
    match convention with
    | Eq10 -> 1.0
    | Eq85 -> 2.0

/// Refuses a finite depth below 1, naming "depth".
let validateDepth (depth: Depth) =
    match depth with
    | Finite l when l < 1 -> raise (InvalidParameterException("depth", string l, "Finite L with L >= 1, or Infinite"))
    | _ -> ()

let private validateMode (lambda: float) (omega: float) (t: float) =
    Validate.positive "lambda" lambda
    Validate.positive "omega" omega
    Validate.nonNegative "t" t

/// γ_k(t) from γ_k(0) = 0 in closed form (Eq. 10 with rate factor c). The ODE is separable:
/// with u = 1 - λγ/L, u^(-(2L-2)) - 1 = (2L-2)cωλ³t/L for L ≥ 2, u = exp(-cωλ³t) for L = 1,
/// and 2λγ = ln(1 + 2cωλ³t) at L = ∞ (Eq. 86 with c = 2). γ = L(1 - u)/λ, with 1 - u formed
/// by expm1/log1p so that small t keeps its digits.
let gamma (convention: ModeConvention) (depth: Depth) (lambda: float) (omega: float) (t: float) =
    validateDepth depth
    validateMode lambda omega t
    let a = rateFactor convention * omega * lambda * lambda * lambda * t

    match depth with
    | Infinite -> Precision.log1p (2.0 * a) / (2.0 * lambda)
    | Finite 1 -> -(Precision.expm1 -a) / lambda
    | Finite l ->
        let n = float (2 * l - 2)
        let x = n * a / float l
        float l * -(Precision.expm1 (-(Precision.log1p x) / n)) / lambda

/// The loss of one mode, ω_kλ_k u^(2L) (Eq. 84), at time t of the closed-form flow: for L ≥ 2
/// u^(2L) = (1 + x)^(-L/(L-1)) with x = (2L-2)cωλ³t/L; e^(-2cωλ³t) at L = 1; and
/// 1/(1 + 2cωλ³t) at L = ∞.
let private modeLoss (c: float) (depth: Depth) (lambda: float) (omega: float) (t: float) =
    let a = c * omega * lambda * lambda * lambda * t

    let decay =
        match depth with
        | Infinite -> 1.0 / (1.0 + 2.0 * a)
        | Finite 1 -> exp (-2.0 * a)
        | Finite l ->
            let lf = float l
            exp (-(lf / (lf - 1.0)) * Precision.log1p ((2.0 * lf - 2.0) * a / lf))

    omega * lambda * decay

/// Result 4 as printed: γ_k = ln(1 + 4ω_kλ_k³t)/(2λ_k) (the Eq. 85/86 solution, not that of Eq. 10).
let printedResult4Gamma (lambda: float) (omega: float) (t: float) =
    validateMode lambda omega t
    Precision.log1p (4.0 * omega * lambda * lambda * lambda * t) / (2.0 * lambda)

/// Result 4 as printed: ℒ(t) = Σ_k ω_kλ_k/(1 + 4ω_kλ_k³t), with no 1/D.
let printedResult4Loss (s: Spectrum) (t: float) =
    Validate.nonNegative "t" t

    Array.map2 (fun l o -> o * l / (1.0 + 4.0 * o * l * l * l * t)) s.Lambda s.Omega
    |> Array.sum

/// Eq. 87 as printed: ℒ(t) = (1/D) Σ_k ω_kλ_k[1 + ω_kλ_k³t]^(-1).
let printedEq87Loss (s: Spectrum) (t: float) =
    Validate.nonNegative "t" t
    normalizedTrace s (fun l o -> o * l / (1.0 + o * l * l * l * t))

/// Eq. 89 as printed: Σ_{k=1}^{modes} k^(-νβ-1)[1 + k^(-2ν-νβ)t]^(-1).
let printedEq89Sum (nu: float) (beta: float) (t: float) (modes: int) =
    Validate.positive "nu" nu
    Validate.positive "beta" beta
    Validate.nonNegative "t" t
    Validate.atLeast "modes" 1 modes
    let mutable acc = 0.0

    for k in 1..modes do
        let kf = float k
        acc <- acc + kf ** (-nu * beta - 1.0) / (1.0 + kf ** (-2.0 * nu - nu * beta) * t)

    acc

/// Eq. 84 for diagonal Γ: ℒ = (1/M) Σ_k ω_kλ_k(1 - λ_kγ_k/L)^(2L), e^(-2λ_kγ_k) at L = ∞.
let loss (s: Spectrum) (depth: Depth) (gammas: float[]) =
    validateDepth depth

    if isNull gammas || gammas.Length <> modes s then
        raise (
            InvalidParameterException(
                "gammas",
                sprintf "an array of length %d" (if isNull gammas then 0 else gammas.Length),
                sprintf "one gamma per mode, %d" (modes s)
            )
        )

    gammas |> Array.iter (Validate.finite "gammas")
    let mutable acc = 0.0

    for k in 0 .. gammas.Length - 1 do
        let l = s.Lambda[k]

        let decay =
            match depth with
            | Infinite -> exp (-2.0 * l * gammas[k])
            | Finite d -> (1.0 - l * gammas[k] / float d) ** float (2 * d)

        acc <- acc + s.Omega[k] * l * decay

    acc / float gammas.Length

/// ℒ(t) of the closed-form mode flow (Eq. 84 at γ_k(t) of `gamma`), (1/M) Σ_k ω_kλ_k u_k^(2L).
let lossAt (s: Spectrum) (convention: ModeConvention) (depth: Depth) (t: float) =
    validateDepth depth
    Validate.nonNegative "t" t
    let c = rateFactor convention
    let mutable acc = 0.0

    for k in 0 .. modes s - 1 do
        acc <- acc + modeLoss c depth s.Lambda[k] s.Omega[k] t

    acc / float (modes s)

/// A point of the FS learning curve: time, ℒ(t), and γ_k(t) of the leading modes.
type FsPoint =
    {
        T: float
        Loss: float
        Gammas: float[]
    }

/// The FS learning curve at `times` (each finite and ≥ 0), with γ_k(t) of the first
/// `leadingModes` modes (0 ≤ leadingModes ≤ M).
let curve (s: Spectrum) (convention: ModeConvention) (depth: Depth) (leadingModes: int) (times: float[]) =
    validateDepth depth

    if leadingModes < 0 || leadingModes > modes s then
        raise (
            InvalidParameterException("leadingModes", string leadingModes, sprintf "an integer in [0, %d]" (modes s))
        )

    if isNull times then
        raise (InvalidParameterException("times", "null", "an array of finite times >= 0"))

    times |> Array.iter (Validate.nonNegative "times")

    times
    |> Array.map (fun t ->
        {
            T = t
            Loss = lossAt s convention depth t
            Gammas = Array.init leadingModes (fun k -> gamma convention depth s.Lambda[k] s.Omega[k] t)
        })

/// Result 3: the fixed point of Eq. 10 (and of Eq. 85), γ_k = L/λ_k, i.e. Γ = LΣ⁻¹; Eq. 84 is
/// exactly 0 there.
let fixedPoint (s: Spectrum) (depth: int) =
    Validate.atLeast "depth" 1 depth
    s.Lambda |> Array.map (fun l -> float depth / l)

/// A random skew-symmetric D×D matrix S = (G - Gᵀ)/√(2D), G with i.i.d. N(0, 1) entries drawn
/// by Box–Muller from System.Random(seed) in row-major order. Off-diagonal entries of S have
/// variance 1/D, so the eigenvalues ±iμ of S fill μ ∈ [0, 2] as D grows (‖S‖₂ → 2): θ is an
/// O(1) rotation angle whatever D.
let randomSkew (dim: int) (seed: int) =
    Validate.atLeast "dim" 1 dim
    let rng = Random(seed)
    let normals = Array.zeroCreate (dim * dim + 1)

    for i in 0..2 .. dim * dim - 1 do
        let u1 = 1.0 - rng.NextDouble()
        let u2 = rng.NextDouble()
        let r = sqrt (-2.0 * log u1)
        normals[i] <- r * cos (2.0 * Math.PI * u2)
        normals[i + 1] <- r * sin (2.0 * Math.PI * u2)

    let g i j = normals[i * dim + j]
    let scale = 1.0 / sqrt (2.0 * float dim)
    Array2D.init dim dim (fun i j -> (g i j - g j i) * scale)

let private square (name: string) (a: float[,]) =
    if isNull a || Array2D.length1 a <> Array2D.length2 a || Array2D.length1 a = 0 then
        raise (InvalidParameterException(name, "a non-square or empty matrix", "a square matrix of size >= 1"))

    a |> Array2D.iter (Validate.finite name)
    Array2D.length1 a

let private sameSize (name: string) (dim: int) (a: float[,]) =
    if square name a <> dim then
        raise (
            InvalidParameterException(
                name,
                sprintf "a %d×%d matrix" (Array2D.length1 a) (Array2D.length2 a),
                sprintf "%d×%d" dim dim
            )
        )

/// e^A by scaling and squaring: A/2^s with ‖A/2^s‖₁ ≤ 1/2, the Taylor series summed until a
/// term is below machine epsilon relative to the sum, then squared s times.
let private expmDense (a: Matrix<float>) =
    let norm = a.L1Norm()

    let s =
        if norm <= 0.5 then
            0
        else
            int (ceil (Math.Log2(norm / 0.5)))

    let scaled = a / (2.0 ** float s)
    let mutable term = Matrix<float>.Build.DenseIdentity(a.RowCount)
    let mutable sum = term.Clone()
    let mutable n = 1

    while term.L1Norm() > Precision.MachineEpsilon * sum.L1Norm() && n < 60 do
        term <- term * scaled / float n
        sum <- sum + term
        n <- n + 1

    let mutable result = sum

    for _ in 1..s do
        result <- result * result

    result

/// The matrix exponential e^A of a square matrix (used for skew-symmetric A, where e^A is a
/// rotation), by scaling and squaring with a Taylor series.
let expm (a: float[,]) =
    square "a" a |> ignore
    (expmDense (Matrix<float>.Build.DenseOfArray a)).ToArray()

/// Σ' = e^(θS) Σ e^(-θS) (Result 5, Figure 3c) for a skew-symmetric S (e^(-θS) = (e^(θS))ᵀ).
let rotatedCovariance (sigma: float[,]) (s: float[,]) (theta: float) =
    let dim = square "sigma" sigma
    sameSize "s" dim s
    Validate.finite "theta" theta
    let sm = Matrix<float>.Build.DenseOfArray s

    if (sm + sm.Transpose()).L1Norm() > 1e-12 * max 1.0 (sm.L1Norm()) then
        raise (InvalidParameterException("s", "a matrix with S + Sᵀ ≠ 0", "a skew-symmetric matrix"))

    let q = expmDense (theta * sm)
    (q * Matrix<float>.Build.DenseOfArray sigma * q.Transpose()).ToArray()

/// (1/D) tr Ω' (Eᴸ)ᵀ Σ' Eᴸ for a residual map E.
let private traceLoss (e: Matrix<float>) (sigmaPrime: Matrix<float>) (omegaPrime: Matrix<float>) (depth: int) =
    let el = e.Power depth
    (omegaPrime * el.Transpose() * sigmaPrime * el).Trace() / float e.RowCount

/// Result 5, Eq. 11: ℒ_OOD = (1/D) tr Ω'[(I - Σ⁻¹Σ')ᴸ]ᵀ Σ'(I - Σ⁻¹Σ')ᴸ, the loss on (Σ', Ω') of
/// the depth-L model trained to its fixed point Γ = LΣ⁻¹ on (Σ, Ω) (Result 3).
let oodLoss (sigma: float[,]) (omega: float[,]) (sigmaPrime: float[,]) (omegaPrime: float[,]) (depth: int) =
    let dim = square "sigma" sigma
    sameSize "omega" dim omega
    sameSize "sigmaPrime" dim sigmaPrime
    sameSize "omegaPrime" dim omegaPrime
    Validate.atLeast "depth" 1 depth
    let build (a: float[,]) = Matrix<float>.Build.DenseOfArray a
    let sp = build sigmaPrime
    let e = Matrix<float>.Build.DenseIdentity dim - (build sigma).Solve sp
    traceLoss e sp (build omegaPrime) depth

/// The same OOD loss for an isotropic learner Γ = γI (the RRS-trained model, Result 6):
/// (1/D) tr Ω'[(I - γΣ'/L)ᴸ]ᵀ Σ'(I - γΣ'/L)ᴸ. It depends on (Σ', Ω') only through their joint
/// spectrum, so it is invariant when both are rotated together.
let oodLossIsotropic (sigmaPrime: float[,]) (omegaPrime: float[,]) (depth: int) (gamma: float) =
    let dim = square "sigmaPrime" sigmaPrime
    sameSize "omegaPrime" dim omegaPrime
    Validate.atLeast "depth" 1 depth
    Validate.nonNegative "gamma" gamma
    let sp = Matrix<float>.Build.DenseOfArray sigmaPrime
    let e = Matrix<float>.Build.DenseIdentity dim - (gamma / float depth) * sp
    traceLoss e sp (Matrix<float>.Build.DenseOfArray omegaPrime) depth

/// The largest spectrum `oodCurve` accepts (dense D×D matrix algebra per angle).
[<Literal>]
let MaxOodModes = 2000

let private rotatedPair (s: Spectrum) (seed: int) (rotateOmega: bool) =
    let dim = modes s

    if dim > MaxOodModes then
        raise (
            InvalidParameterException("modes", string dim, sprintf "at most %d modes for dense OOD algebra" MaxOodModes)
        )

    let sigma = Array2D.init dim dim (fun i j -> if i = j then s.Lambda[i] else 0.0)
    let omega = Array2D.init dim dim (fun i j -> if i = j then s.Omega[i] else 0.0)
    let skew = randomSkew dim seed

    let at theta =
        let sigmaPrime = rotatedCovariance sigma skew theta

        let omegaPrime =
            if rotateOmega then
                rotatedCovariance omega skew theta
            else
                omega

        sigmaPrime, omegaPrime

    sigma, omega, at

/// Figure 3c: ℒ_OOD(θ) of Eq. 11 for Σ = Λ, Ω = diag(ω) and Σ' = e^(θS)Σe^(-θS) with S =
/// randomSkew M seed, for several depths; Ω' is rotated the same way when rotateOmega, else Ω' = Ω.
/// The rotations e^(θS) are built once per θ and shared by every depth. θ = 0 gives 0.
let oodCurves (s: Spectrum) (depths: int list) (thetas: float[]) (seed: int) (rotateOmega: bool) =
    depths |> List.iter (Validate.atLeast "depth" 1)
    let sigma, omega, at = rotatedPair s seed rotateOmega
    let rotated = thetas |> Array.map at

    depths
    |> List.map (fun depth ->
        depth,
        rotated
        |> Array.map (fun (sigmaPrime, omegaPrime) -> oodLoss sigma omega sigmaPrime omegaPrime depth))

/// `oodCurves` at one depth.
let oodCurve (s: Spectrum) (depth: int) (thetas: float[]) (seed: int) (rotateOmega: bool) =
    oodCurves s [ depth ] thetas seed rotateOmega |> List.exactlyOne |> snd

/// The reference curve of `oodLossIsotropic` along the same rotations as `oodCurve`.
let oodCurveIsotropic (s: Spectrum) (depth: int) (gamma: float) (thetas: float[]) (seed: int) (rotateOmega: bool) =
    Validate.atLeast "depth" 1 depth
    let _, _, at = rotatedPair s seed rotateOmega

    thetas
    |> Array.map (fun theta ->
        let sigmaPrime, omegaPrime = at theta
        oodLossIsotropic sigmaPrime omegaPrime depth gamma)
