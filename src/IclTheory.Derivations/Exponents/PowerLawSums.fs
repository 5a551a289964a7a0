/// Numerical witnesses for the paper's source/capacity sums: the sums exactly as printed, summed
/// term by term (no asymptotics, no symbolic code), and their local log–log slopes. They test the
/// dominant-balance exponents of the symbolic core independently.
module IclTheory.Derivations.PowerLawSums

open System

/// Terms summed exactly; the rest by quadrature (Euler–Maclaurin: Σ_{k≥K} f ≈ ∫_K^∞ f + f(K)/2).
let private exactTerms = 100_000

/// ∫_K^∞ f(k) dk with k = K·e^s, by composite Simpson in s on [0, sMax] (the integrand decays
/// like e^{−(a−1)s}; sMax makes the truncation below 1e-15 relative).
let private tailIntegral (a: float) (f: float -> float) (kK: float) =
    let sMax = 36.0 / (a - 1.0)
    let n = 6000
    let h = sMax / float n

    let integrand (s: float) =
        let k = kK * exp s
        k * f k

    let mutable acc = integrand 0.0 + integrand sMax

    for i in 1 .. n - 1 do
        acc <- acc + (if i % 2 = 1 then 4.0 else 2.0) * integrand (float i * h)

    acc * h / 3.0

/// S(x) = Σ_{k≥1} k^(−a) g(k, x) for a > 1: exact terms k < K, then the Euler–Maclaurin tail.
let powerLawSum (a: float) (g: float -> float -> float) (x: float) =
    let f (k: float) = k ** -a * g k x
    let mutable acc = 0.0

    for k in exactTerms - 1 .. -1 .. 1 do
        acc <- acc + f (float k)

    let kK = float exactTerms
    acc + tailIntegral a f kK + 0.5 * f kK

/// Least-squares slope of ln S against ln x at 13 log-spaced points over [x0, x0·10^decades].
let slope (s: float -> float) (x0: float) (decades: float) =
    let xs = Array.init 13 (fun i -> x0 * 10.0 ** (decades * float i / 12.0))
    let lx = xs |> Array.map log
    let ly = xs |> Array.map (s >> log)
    let mx, my = Array.average lx, Array.average ly
    let sxy = Array.map2 (fun x y -> (x - mx) * (y - my)) lx ly |> Array.sum
    let sxx = lx |> Array.sumBy (fun x -> (x - mx) ** 2.0)
    sxy / sxx

/// Eq. 89 as printed: Σ_k k^(−νβ−1) [1 + k^(−2ν−νβ) t]^(−1); slope in t.
let fsTimeAsPrinted (nu: float) (beta: float) =
    let b = 2.0 * nu + nu * beta
    slope (powerLawSum (nu * beta + 1.0) (fun k t -> 1.0 / (1.0 + k ** -b * t))) (1000.0 ** b) 3.0

/// Eq. 87 with Eq. 88's power laws: Σ_k ω_kλ_k [1 + ω_kλ_k³ t]^(−1), ω_kλ_k = k^(−νβ−1),
/// λ_k = k^(−ν), so ω_kλ_k³ = k^(−νβ−1−2ν); slope in t.
let fsTimeFromEq87 (nu: float) (beta: float) =
    let b = 2.0 * nu + nu * beta + 1.0
    slope (powerLawSum (nu * beta + 1.0) (fun k t -> 1.0 / (1.0 + k ** -b * t))) (1000.0 ** b) 3.0

/// Eq. 95's landscape at N, L, P → ∞: Σ_k λ_kω_k e^(−2γλ_k), λ_k = k^(−ν); slope in γ.
let rrsLandscape (nu: float) (beta: float) =
    slope (powerLawSum (nu * beta + 1.0) (fun k g -> exp (-2.0 * g * k ** -nu))) (1000.0 ** nu) 3.0

/// ln(1 − u) for 0 ≤ u < 1 without cancellation at small u.
let private log1mu (u: float) =
    if u < 1e-4 then
        -(u + u * u / 2.0 + u * u * u / 3.0)
    else
        log (1.0 - u)

/// Eq. 100's depth law at γ* = L/λ₁: Σ_k λ_kω_k (1 − λ_k/λ₁)^L with λ_k = k^(−ν), λ₁ = 1 (the
/// L-th power written as exp(L·log1p(−λ_k))); slope in L.
let depthLaw (nu: float) (beta: float) =
    slope
        (powerLawSum (nu * beta + 1.0) (fun k l -> if k = 1.0 then 0.0 else exp (l * log1mu (k ** -nu))))
        (1000.0 ** nu)
        3.0
