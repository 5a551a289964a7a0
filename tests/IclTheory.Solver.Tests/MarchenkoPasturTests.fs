module IclTheory.Solver.Tests.MarchenkoPasturTests

open Xunit
open IclTheory.Solver

[<Theory>]
[<InlineData(0.5)>]
[<InlineData(1.0)>]
[<InlineData(2.0)>]
let ``first moments are 1, 1 + 1/alpha and 1 + 3/alpha + 1/alpha^2`` (alpha: float) =
    let q = 1.0 / alpha
    Assert.Equal(1.0, MarchenkoPastur.moment alpha 1, 14)
    Assert.Equal(1.0 + q, MarchenkoPastur.moment alpha 2, 14)
    Assert.Equal(1.0 + 3.0 * q + q * q, MarchenkoPastur.moment alpha 3, 14)

[<Fact>]
let ``Narayana coefficients of the fourth moment are 1 6 6 1`` () =
    Assert.Equal<int[]>([| 1; 6; 6; 1 |], MarchenkoPastur.narayana 4 |> Array.map int)

[<Fact>]
let ``negative alpha is refused naming the parameter`` () =
    let ex =
        Assert.Throws<InvalidParameterException>(fun () -> MarchenkoPastur.moment -1.0 2 |> ignore)

    Assert.Equal("alpha", ex.Parameter)
