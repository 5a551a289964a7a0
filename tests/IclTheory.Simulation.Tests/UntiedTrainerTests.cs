namespace IclTheory.Simulation.Tests;

public class UntiedTrainerTests
{
    private static readonly StructuredTask Rrs = StructuredTask.PowerLaw(16, 4.0, 1.0, 0.0, 1.0, 1.0, CovarianceSetting.RandomRotation);

    [Fact]
    public void SameSeedGivesBitIdenticalResultsWhateverTheThreadCount()
    {
        var options = new TrainOptions(Rrs, 3, 12, 10, 0.2, 9, EvalContexts: 30, AnnealFraction: 0.5, AnnealFloor: 0.01);
        var a = UntiedGammaTrainer.Train(options, [0.1, 0.0, 0.3]);
        var b = UntiedGammaTrainer.Train(options with { MaxDegreeOfParallelism = 1 }, [0.1, 0.0, 0.3]);
        var c = UntiedGammaTrainer.Train(options with { MaxDegreeOfParallelism = 2 }, [0.1, 0.0, 0.3]);
        Assert.Equal(a.Curve, b.Curve);
        Assert.Equal(a.Curve, c.Curve);
        Assert.Equal(a.Gammas.SelectMany(g => g.Cast<double>()), c.Gammas.SelectMany(g => g.Cast<double>()));
        var (mean, se) = ReducedGammaEvaluator.TestLossUntied(Rrs, a.Gammas, 30, 9);
        Assert.Equal((mean, se), (a.FinalLoss, a.FinalLossSe));
    }

    [Fact]
    public void OneLayerIsTheRecurrentTrainerBitForBit()
    {
        var options = new TrainOptions(IsoTask.FromRatios(8, 2.0, 1.0, 0.2), 1, 15, 8, 0.3, 4, EvalContexts: 40);
        var untied = UntiedGammaTrainer.Train(options);
        var recurrent = ReducedGammaTrainer.Train(options);
        Assert.Equal(recurrent.Gamma.Cast<double>(), untied.Gammas[0].Cast<double>());
        Assert.Equal(recurrent.Curve.Select(p => (p.Loss, p.GammaBar)), untied.Curve.Select(p => (p.Loss, p.LayerGammaBars[0])));
    }

    [Fact]
    public void FromZeroTheFirstStepMovesEveryLayerLikeTheRecurrentGamma()
    {
        // At Γ^ℓ = 0 every layer's gradient is L⁻¹ g bᵀ, a 1/L share of the recurrent gradient; with η = η₀L each layer
        // takes exactly the recurrent step (Section 5.1), up to rounding.
        var options = new TrainOptions(Rrs, 4, 1, 6, 0.3, 8, EvalContexts: 4);
        var recurrent = ReducedGammaTrainer.Train(options).Gamma;
        var untied = UntiedGammaTrainer.Train(options);
        foreach (var layer in untied.Gammas)
        {
            for (var i = 0; i < 16; i++)
            {
                for (var j = 0; j < 16; j++)
                {
                    Assert.Equal(recurrent[i, j], layer[i, j], 1e-13);
                }
            }
        }
    }

    [Fact]
    public void FromZeroTheLayersStayBalancedAndFollowTheRecurrentModel()
    {
        // Section 5.1 / Eq. 118: from γ^ℓ(0) = 0 with η = η₀L the untied flow is the recurrent flow with balanced layers.
        // RRS, D = 16, α = 4, L = 4, B = 32, 200 steps at η₀ = 0.3 (t = 60). SGD noise makes the layers differ
        // slightly (measured spread ≈ 0.2% of γ̄, mean γ̄ within 0.1% of the recurrent γ̄); allowed 1% each.
        var options = new TrainOptions(Rrs, 4, 200, 32, 0.3, 5, EvalContexts: 200, LogSteps: []);
        var untied = UntiedGammaTrainer.Train(options).Curve[^1];
        var recurrent = ReducedGammaTrainer.Train(options).Curve[^1];
        Assert.True(untied.BalanceSpread < 0.01 * untied.MeanGammaBar, $"spread {untied.BalanceSpread:G3}, γ̄ {untied.MeanGammaBar:G4}");
        Assert.True(Math.Abs(untied.MeanGammaBar - recurrent.GammaBar) < 0.01 * recurrent.GammaBar, $"untied γ̄ {untied.MeanGammaBar:G5} vs recurrent {recurrent.GammaBar:G5}");
        Assert.True(Math.Abs(untied.Loss - recurrent.Loss) < 0.01 * recurrent.Loss, $"untied loss {untied.Loss:G5} vs recurrent {recurrent.Loss:G5}");
    }

    [Fact]
    public void AnUnbalancedStartDoesNotBalance()
    {
        // Along γ^ℓ = γ ± ε the loss is ((1 − γm/2)² − ε²m²/4)² per eigen-direction m (L = 2, Eq. 117): the balanced
        // point is a maximum across the antisymmetric direction, so gradient flow amplifies imbalance instead of
        // removing it (Eq. 118 only makes balance invariant). RRS, L = 4, γ^ℓ(0) = 0, 0.5, 1, 1.5: the spread grows
        // (measured 1.50 → 1.68 at t = 36 and 1.86 at t = 120); here t = 60, and the spread must exceed 1.6.
        var options = new TrainOptions(Rrs, 4, 200, 32, 0.3, 5, EvalContexts: 200, LogSteps: []);
        var curve = UntiedGammaTrainer.Train(options, [0.0, 0.5, 1.0, 1.5]).Curve;
        Assert.Equal(1.5, curve[0].BalanceSpread, 1e-12);
        Assert.True(curve[^1].BalanceSpread > 1.6, $"final spread {curve[^1].BalanceSpread:G4}");
    }

    [Fact]
    public void BadInitialGammasAreRefused()
    {
        var options = new TrainOptions(Rrs, 2, 1, 2, 0.1, 1, EvalContexts: 2);
        Assert.Equal("initial-gammas", Assert.Throws<ArgumentException>(() => UntiedGammaTrainer.Train(options, [1.0])).ParamName);
        Assert.Equal("initial-gammas", Assert.Throws<ArgumentOutOfRangeException>(() => UntiedGammaTrainer.Train(options, [1.0, double.NaN])).ParamName);
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => UntiedGammaTrainer.Train(options with { Depth = 0 })).ParamName);
    }
}
