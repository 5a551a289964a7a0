namespace IclTheory.Simulation;

/// <summary>
/// The learning-rate schedule and logging grid shared by every trainer's options: constant η, then a linear decay
/// over the last ⌈fraction·steps⌉ steps to a floor reached at the last step; evaluation at step 0, at the last step
/// and at the requested (or 19 log-spaced) steps.
/// </summary>
internal static class SgdSchedule
{
    /// <summary>
    /// Cross-field checks: the floor must not exceed η, the logged steps must lie in [0, steps], and the thread
    /// limit must be −1 or positive.
    /// </summary>
    public static void Validate(double learningRate, double annealFloor, int maxDegreeOfParallelism, int[]? logSteps, int steps)
    {
        if (annealFloor > learningRate)
        {
            throw new ArgumentOutOfRangeException("anneal-floor", annealFloor, $"anneal-floor must lie in [0, lr = {learningRate}]; got {annealFloor}.");
        }

        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(
                "threads", maxDegreeOfParallelism, $"threads must be −1 (no limit) or ≥ 1; got {maxDegreeOfParallelism}.");
        }

        foreach (var step in logSteps ?? [])
        {
            if (step < 0 || step > steps)
            {
                throw new ArgumentOutOfRangeException("log-steps", step, $"Each logged step must lie in [0, steps = {steps}]; got {step}.");
            }
        }
    }

    /// <summary>The learning rate η_s of <paramref name="step"/>: η, then the linear decay to the floor.</summary>
    public static double LearningRateAt(double learningRate, double annealFloor, double annealFraction, int steps, int step)
    {
        var annealSteps = (int)Math.Ceiling(annealFraction * steps);
        var annealStart = steps - annealSteps;
        if (annealSteps == 0 || step < annealStart)
        {
            return learningRate;
        }

        var progress = (double)(step - annealStart + 1) / annealSteps;
        return learningRate + (annealFloor - learningRate) * progress;
    }

    /// <summary>The sorted, distinct steps at which a trainer evaluates (always including 0 and the last step).</summary>
    public static int[] ResolvedLogSteps(int steps, int[]? logSteps)
    {
        var resolved = new SortedSet<int> { 0, steps };
        if (logSteps is null)
        {
            const int points = 20;
            for (var k = 1; k < points; k++)
            {
                resolved.Add((int)Math.Round(Math.Pow(Math.Max(steps, 1), (double)k / points)));
            }
        }
        else
        {
            resolved.UnionWith(logSteps.Where(s => s >= 0 && s <= steps));
        }

        return [.. resolved];
    }
}
