/// Power-law exponents read off numerical curves (Result 4, Eq. 89; Eqs. 95–97; Eq. 100):
/// local slopes d ln y / d ln x and least-squares fits of ln y on ln x over a window.
module IclTheory.Solver.PowerLawFit

open System

let private validatePoints (xs: float[]) (ys: float[]) =
    if isNull xs || isNull ys || xs.Length <> ys.Length || xs.Length < 3 then
        raise (
            InvalidParameterException(
                "xs, ys",
                "arrays of unequal length or fewer than 3 points",
                "two arrays of one length >= 3"
            )
        )

    xs |> Array.iter (Validate.positive "xs")
    ys |> Array.iter (Validate.positive "ys")

    xs
    |> Array.pairwise
    |> Array.iter (fun (a, b) ->
        if b <= a then
            raise (InvalidParameterException("xs", string b, sprintf "strictly increasing values (after %g)" a)))

/// d ln y / d ln x at every point: centred differences inside, one-sided at the two ends.
let localSlopes (xs: float[]) (ys: float[]) =
    validatePoints xs ys
    let lx = xs |> Array.map log
    let ly = ys |> Array.map log
    let n = xs.Length

    Array.init n (fun i ->
        let a = max 0 (i - 1)
        let b = min (n - 1) (i + 1)
        (ly[b] - ly[a]) / (lx[b] - lx[a]))

/// A fitted exponent (the least-squares slope of ln y on ln x), the range [Low, High] of the
/// local slopes inside the window [XFrom, XTo], and the decades the window spans.
type ExponentFit =
    {
        Exponent: float
        Low: float
        High: float
        XFrom: float
        XTo: float
        Decades: float
    }

/// The least-squares slope of ln y on ln x over the points with xFrom ≤ x ≤ xTo. The window
/// must span at least 3 decades and hold at least 3 points.
let fitExponent (xs: float[]) (ys: float[]) (xFrom: float) (xTo: float) =
    validatePoints xs ys
    Validate.positive "xFrom" xFrom
    Validate.positive "xTo" xTo
    let decades = log10 (xTo / xFrom)

    if decades < 3.0 then
        raise (
            InvalidParameterException(
                "window",
                sprintf "[%g, %g] (%.3g decades)" xFrom xTo decades,
                "a window of at least 3 decades"
            )
        )

    let inside =
        Array.init xs.Length id
        |> Array.filter (fun i -> xs[i] >= xFrom && xs[i] <= xTo)

    if inside.Length < 3 then
        raise (
            InvalidParameterException(
                "window",
                sprintf "[%g, %g] with %d points" xFrom xTo inside.Length,
                "a window holding at least 3 points"
            )
        )

    let lx = inside |> Array.map (fun i -> log xs[i])
    let ly = inside |> Array.map (fun i -> log ys[i])
    let mx = Array.average lx
    let my = Array.average ly
    let sxy = Array.fold2 (fun acc x y -> acc + (x - mx) * (y - my)) 0.0 lx ly
    let sxx = lx |> Array.sumBy (fun x -> (x - mx) * (x - mx))
    let slopes = localSlopes xs ys
    let windowSlopes = inside |> Array.map (fun i -> slopes[i])

    {
        Exponent = sxy / sxx
        Low = Array.min windowSlopes
        High = Array.max windowSlopes
        XFrom = xFrom
        XTo = xTo
        Decades = decades
    }

/// n points log-spaced from a to b inclusive (a convenience for building fitting grids).
let logSpace (a: float) (b: float) (n: int) =
    Validate.positive "a" a
    Validate.positive "b" b
    Validate.atLeast "n" 2 n

    Array.init n (fun i ->
        if i = n - 1 then
            b
        else
            a * (b / a) ** (float i / float (n - 1)))
