/// Floating-point helpers kept in one place: machine epsilon and the cancellation-free
/// elementary functions that System.Math lacks (Double.ExpM1 and Double.LogP1 are computed
/// naively as Exp(x) - 1 and Log(1 + x) in .NET, losing all digits for small x).
module IclTheory.Solver.Precision

/// Unit roundoff of IEEE double, 2^-52 (not Double.Epsilon, the smallest subnormal).
[<Literal>]
let MachineEpsilon = 2.220446049250313e-16

/// log(1 + x) accurate for small |x| (Goldberg's correction: the rounding of 1 + x is undone
/// by the ratio x / (u - 1)).
let log1p (x: float) =
    let u = 1.0 + x

    if u = 1.0 then x
    elif System.Double.IsInfinity u then log u
    else log u * x / (u - 1.0)

/// exp(x) - 1 accurate for small |x| (Kahan's correction: (u - 1) x / log u with u = e^x).
let expm1 (x: float) =
    let u = exp x

    if u = 1.0 then x
    elif u - 1.0 = -1.0 then -1.0
    elif System.Double.IsInfinity u then u
    else (u - 1.0) * x / log u

/// log(e^z - 1) for z > 0 without overflow for large z.
let logExpm1 (z: float) =
    if z > 30.0 then z + log1p (-(exp -z)) else log (expm1 z)
