namespace IclTheory.Simulation;

/// <summary>
/// Validation at the door: each check names the paper's parameter and states the allowed range.
/// </summary>
internal static class Guard
{
    public static int AtLeast(int value, int minimum, string paramName) =>
        value >= minimum
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be an integer ≥ {minimum}; got {value}.");

    public static double NonNegativeFinite(double value, string paramName) =>
        double.IsFinite(value) && value >= 0.0
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and ≥ 0; got {value}.");

    public static double PositiveFinite(double value, string paramName) =>
        double.IsFinite(value) && value > 0.0
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and > 0; got {value}.");

    public static double Finite(double value, string paramName) =>
        double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite; got {value}.");

    public static double UnitInterval(double value, string paramName) =>
        double.IsFinite(value) && value >= 0.0 && value <= 1.0
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must lie in [0, 1]; got {value}.");
}
