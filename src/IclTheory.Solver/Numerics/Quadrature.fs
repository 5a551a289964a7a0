namespace IclTheory.Solver

open System
open System.Collections.Generic

/// A quadrature value, its estimated absolute error, and the number of integrand
/// evaluations behind it.
type QuadResult =
    {
        Value: float
        ErrorEstimate: float
        Nodes: int
    }

/// Globally adaptive Gauss–Kronrod quadrature (the 7-point Gauss rule embedded in the
/// 15-point Kronrod rule, as in QUADPACK's QAG): the panel with the largest |K15 - G7|
/// is bisected until the summed estimate meets the tolerance.
module GaussKronrod =
    /// Kronrod abscissae on [-1, 1], positive half, largest first (QUADPACK qk15).
    let private nodes =
        [|
            0.991455371120812639206854697526329
            0.949107912342758524526189684047851
            0.864864423359769072789712788640926
            0.741531185599394439863864773280788
            0.586087235467691130294144845693013
            0.405845151377397166906606412076961
            0.207784955007898467600689403773245
            0.0
        |]

    /// Kronrod weights matching `nodes`.
    let private kronrodWeights =
        [|
            0.022935322010529224963732008058970
            0.063092092629978553290700663189204
            0.104790010322250183839876322541518
            0.140653259715525918745189590510238
            0.169004726639267902826583426598550
            0.190350578064785409913256402421014
            0.204432940075298892414161999234649
            0.209482141084727828012999174891714
        |]

    /// Gauss weights of the 7-point rule, on the odd-indexed Kronrod nodes 1, 3, 5, 7.
    let private gaussWeights =
        [|
            0.129484966168869693270611432679082
            0.279705391489276667901467771423780
            0.381830050505118944950369775488975
            0.417959183673469387755102040816327
        |]

    let private checkedValue (what: string) (f: float -> float) (x: float) =
        let y = f x

        if Double.IsNaN y then
            raise (ConvergenceException("GaussKronrod.integrate", sprintf "%s is NaN at x = %g" what x))

        y

    /// One panel: the K15 value and |K15 - G7| as its error estimate.
    let private panel (what: string) (f: float -> float) (a: float) (b: float) =
        let mid = 0.5 * (a + b)
        let half = 0.5 * (b - a)
        let fc = checkedValue what f mid
        let mutable kronrod = kronrodWeights[7] * fc
        let mutable gauss = gaussWeights[3] * fc

        for i in 0..6 do
            let dx = half * nodes[i]
            let pair = checkedValue what f (mid - dx) + checkedValue what f (mid + dx)
            kronrod <- kronrod + kronrodWeights[i] * pair

            if i % 2 = 1 then
                gauss <- gauss + gaussWeights[i / 2] * pair

        kronrod * half, abs ((kronrod - gauss) * half)

    /// ∫_a^b f with estimated error ≤ max(absTol, relTol·|I|); at most maxPanels panels, else
    /// ConvergenceException naming `what` and the interval.
    let integrate
        (what: string)
        (relTol: float)
        (absTol: float)
        (maxPanels: int)
        (f: float -> float)
        (a: float)
        (b: float)
        =
        if a = b then
            {
                Value = 0.0
                ErrorEstimate = 0.0
                Nodes = 0
            }
        else
            let queue = PriorityQueue<struct (float * float * float * float), float>()
            let v0, e0 = panel what f a b
            queue.Enqueue(struct (a, b, v0, e0), -e0)
            let mutable total = v0
            let mutable error = e0
            let mutable panels = 1

            while error > max absTol (relTol * abs total) && panels < maxPanels do
                let struct (lo, hi, v, e) = queue.Dequeue()
                let mid = 0.5 * (lo + hi)
                let vl, el = panel what f lo mid
                let vr, er = panel what f mid hi
                queue.Enqueue(struct (lo, mid, vl, el), -el)
                queue.Enqueue(struct (mid, hi, vr, er), -er)
                total <- total - v + vl + vr
                error <- error - e + el + er
                panels <- panels + 1

            // Re-sum the panels: the running totals above accumulate rounding.
            let panelList =
                queue.UnorderedItems |> Seq.map (fun struct (item, _) -> item) |> Seq.toArray

            total <- panelList |> Array.sumBy (fun struct (_, _, v, _) -> v)
            error <- panelList |> Array.sumBy (fun struct (_, _, _, e) -> e)

            if error > max absTol (relTol * abs total) then
                raise (
                    ConvergenceException(
                        "GaussKronrod.integrate",
                        sprintf "%s on [%g, %g]: error %g after %d panels" what a b error panels
                    )
                )

            {
                Value = total
                ErrorEstimate = error
                Nodes = 15 * (2 * panels - 1)
            }
